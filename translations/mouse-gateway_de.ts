<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Mouse::Ui::ChartsPage</name>
    <message>
        <location filename="../ui/chartspage.cpp" line="51"/>
        <source>Cache hit rate</source>
        <translation>Cache-Trefferquote</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="51"/>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="51"/>
        <location filename="../ui/chartspage.cpp" line="53"/>
        <source>VM status</source>
        <translation>VM-Status</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="51"/>
        <location filename="../ui/chartspage.cpp" line="53"/>
        <source>Screenshots</source>
        <translation>Bildschirmfotos</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="53"/>
        <source>Cache size</source>
        <translation>Cache-Größe</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="53"/>
        <source>entries</source>
        <translation>Einträge</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="54"/>
        <source>Queue depth</source>
        <translation>Warteschlangenlänge</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="55"/>
        <source>tasks</source>
        <translation>Aufgaben</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="56"/>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="56"/>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="56"/>
        <source>Low</source>
        <translation>Niedrig</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="56"/>
        <source>In flight</source>
        <translation>In Arbeit</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="59"/>
        <source>Task processing time (p95)</source>
        <translation>Verarbeitungszeit der Aufgaben (p95)</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="59"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="59"/>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="68"/>
        <source>Charts</source>
        <translation>Diagramme</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="115"/>
        <source>VM status hits %1  ·  screenshot hits %2  ·  task p95 %3</source>
        <translation>VM-Status-Treffer %1  ·  Bildschirmfoto-Treffer %2  ·  Aufgaben-p95 %3</translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::EventLogModel</name>
    <message>
        <location filename="../ui/eventlogmodel.cpp" line="64"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/eventlogmodel.cpp" line="66"/>
        <source>Severity</source>
        <translation>Schweregrad</translation>
    </message>
    <message>
        <location filename="../ui/eventlogmodel.cpp" line="68"/>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <location filename="../ui/eventlogmodel.cpp" line="70"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <location filename="../ui/eventlogmodel.cpp" line="103"/>
        <source>Info</source>
        <translation>Info</translation>
    </message>
    <message>
        <location filename="../ui/eventlogmodel.cpp" line="105"/>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <location filename="../ui/eventlogmodel.cpp" line="107"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::EventLogPage</name>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="80"/>
        <source>Event log</source>
        <translation>Ereignisprotokoll</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="89"/>
        <source>Filter by source or message</source>
        <translation>Nach Quelle oder Meldung filtern</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="94"/>
        <source>All severities</source>
        <translation>Alle Schweregrade</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="96"/>
        <source>Warnings and errors</source>
        <translation>Warnungen und Fehler</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="99"/>
        <source>Errors only</source>
        <translation>Nur Fehler</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="103"/>
        <location filename="../ui/eventlogpage.cpp" line="128"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="104"/>
        <source>Copy the selected events, or all shown events when none is selected</source>
        <translation>Die ausgewählten Ereignisse kopieren, oder alle angezeigten, wenn keines ausgewählt ist</translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::FleetPage</name>
    <message>
        <location filename="../ui/fleetpage.cpp" line="74"/>
        <source>Fleet</source>
        <translation>Flotte</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="93"/>
        <location filename="../ui/fleetpage.cpp" line="94"/>
        <source>Waiting for the first refresh</source>
        <translation>Warte auf die erste Aktualisierung</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="102"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="103"/>
        <source>Fetch every VM&apos;s status now (F5)</source>
        <translation>Den Status aller VMs jetzt abrufen (F5)</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="119"/>
        <source>Filter by VM, employee, customer or error</source>
        <translation>Nach VM, Mitarbeiter, Kunde oder Fehler filtern</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="127"/>
        <location filename="../ui/fleetpage.cpp" line="389"/>
        <source>All customers</source>
        <translation>Alle Kunden</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="134"/>
        <source>Any status</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="145"/>
        <source>With errors</source>
        <translation>Mit Fehlern</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="147"/>
        <source>Stale data</source>
        <translation>Veraltete Daten</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="154"/>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="155"/>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="156"/>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="157"/>
        <source>Screenshot</source>
        <translation>Bildschirmfoto</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="330"/>
        <source>Refreshing %1 / %2</source>
        <translation>Aktualisiere %1 / %2</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="417"/>
        <source>%1 running</source>
        <translation>%1 laufen</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="419"/>
        <source>%1 changing</source>
        <translation>%1 im Wechsel</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="421"/>
        <source>%1 in error</source>
        <translation>%1 mit Fehlerstatus</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="420"/>
        <source>%1 stopped</source>
        <translation>%1 gestoppt</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="424"/>
        <source>%1 unknown</source>
        <translation>%1 unbekannt</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="427"/>
        <source>%1 stale</source>
        <translation>%1 veraltet</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="448"/>
        <source>Stop the VM of %1? Its work is interrupted.</source>
        <translation>Die VM von %1 stoppen? Ihre Arbeit wird unterbrochen.</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="449"/>
        <source>Restart the VM of %1? Its work is interrupted.</source>
        <translation>Die VM von %1 neu starten? Ihre Arbeit wird unterbrochen.</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="450"/>
        <source>Confirm</source>
        <translation>Bestätigen</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="468"/>
        <source>VM action failed</source>
        <translation>VM-Aktion fehlgeschlagen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/fleetpage.cpp"/>
        <source>%n VM(s) refreshed in %1 ms at %2</source>
        <translation>
            <numerusform>%n VM in %1 ms aktualisiert um %2</numerusform>
            <numerusform>%n VMs in %1 ms aktualisiert um %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/fleetpage.cpp"/>
        <source>%n VM(s)</source>
        <translation>
            <numerusform>%n VM</numerusform>
            <numerusform>%n VMs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/fleetpage.cpp"/>
        <source>%n fetch error(s)</source>
        <translation>
            <numerusform>%n Abruffehler</numerusform>
            <numerusform>%n Abruffehler</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::FleetTableModel</name>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="97"/>
        <source>%1 · stale</source>
        <translation>%1 · veraltet</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="125"/>
        <source>VM %1</source>
        <translation>VM %1</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="127"/>
        <source>Status read %1 (%2)</source>
        <translation>Status gelesen um %1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="131"/>
        <source>Stale: served from the cache past its lifetime</source>
        <translation>Veraltet: nach Ablauf seiner Lebensdauer aus dem Cache geliefert</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="133"/>
        <source>Error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="135"/>
        <source>Request id: %1</source>
        <translation>Anfrage-ID: %1</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="148"/>
        <source>VM</source>
        <translation>VM</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="150"/>
        <source>Employee</source>
        <translation>Mitarbeiter</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="152"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="154"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="156"/>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="158"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="235"/>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="238"/>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="240"/>
        <source>%1 s ago</source>
        <translation>vor %1 s</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="242"/>
        <source>%1 min ago</source>
        <translation>vor %1 min</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="244"/>
        <source>%1 h ago</source>
        <translation>vor %1 h</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="245"/>
        <source>%1 d ago</source>
        <translation>vor %1 d</translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="70"/>
        <source>Mouse Gateway</source>
        <translation>Mouse Gateway</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="119"/>
        <source>Fleet</source>
        <translation>Flotte</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="120"/>
        <source>Screenshots</source>
        <translation>Bildschirmfotos</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="121"/>
        <source>Charts</source>
        <translation>Diagramme</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="122"/>
        <source>Payments</source>
        <translation>Zahlungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="123"/>
        <source>Event log</source>
        <translation>Ereignisprotokoll</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="161"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="162"/>
        <source>Copy &amp;admin token</source>
        <translation>&amp;Admin-Token kopieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="164"/>
        <source>Copy server &amp;URL</source>
        <translation>Server-&amp;URL kopieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="167"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="172"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="179"/>
        <source>&amp;Refresh fleet</source>
        <translation>Flotte &amp;aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="184"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="185"/>
        <source>&amp;About Mouse Gateway</source>
        <translation>Ü&amp;ber Mouse Gateway</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="188"/>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="208"/>
        <source>Fleet %1/%2</source>
        <translation>Flotte %1/%2</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="215"/>
        <source>The gateway&apos;s HTTP API; click to open, or copy it</source>
        <translation>Die HTTP-API des Gateways; zum Öffnen klicken oder kopieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="219"/>
        <source>Copy the server URL</source>
        <translation>Die Server-URL kopieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="225"/>
        <source>Orgo</source>
        <translation>Orgo</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="226"/>
        <source>sandbox</source>
        <translation>Sandbox</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="226"/>
        <source>real</source>
        <translation>echt</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="227"/>
        <source>No Orgo API key is set: VMs come from the built-in sandbox fleet</source>
        <translation>Kein Orgo-API-Schlüssel gesetzt: Die VMs stammen aus der eingebauten Sandbox-Flotte</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="229"/>
        <source>Connected to the real Orgo API</source>
        <translation>Mit der echten Orgo-API verbunden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="238"/>
        <source>Admin token %1</source>
        <translation>Admin-Token %1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="240"/>
        <source>Generated for this run; click to copy it</source>
        <translation>Für diesen Lauf erzeugt; zum Kopieren klicken</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="241"/>
        <source>Configured; click to copy it</source>
        <translation>Konfiguriert; zum Kopieren klicken</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="275"/>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="276"/>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="277"/>
        <source>half-open</source>
        <translation>halb offen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="279"/>
        <source>Breaker</source>
        <translation>Schutzschalter</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="281"/>
        <source>Orgo is failing: calls fail fast and the last known statuses are served, marked stale</source>
        <translation>Orgo fällt aus: Aufrufe scheitern sofort, die zuletzt bekannten Status werden als veraltet markiert ausgeliefert</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="283"/>
        <source>Cooling down: one probe call is let through</source>
        <translation>Abkühlphase: ein Testaufruf wird durchgelassen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="284"/>
        <source>Orgo calls flow normally</source>
        <translation>Orgo-Aufrufe laufen normal</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="301"/>
        <source>Admin token copied to the clipboard</source>
        <translation>Admin-Token in die Zwischenablage kopiert</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="307"/>
        <source>Server URL copied to the clipboard</source>
        <translation>Server-URL in die Zwischenablage kopiert</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="313"/>
        <source>About Mouse Gateway</source>
        <translation>Über Mouse Gateway</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="316"/>
        <source>&lt;h3&gt;Mouse Gateway %1&lt;/h3&gt;&lt;p&gt;Admin dashboard and API gateway for the Mouse platform.&lt;/p&gt;&lt;p&gt;Licensed under the GNU General Public License, version 3 or later (GPL-3.0-or-later).&lt;/p&gt;&lt;p&gt;Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Mouse Gateway %1&lt;/h3&gt;&lt;p&gt;Admin-Dashboard und API-Gateway der Mouse-Plattform.&lt;/p&gt;&lt;p&gt;Lizenziert unter der GNU General Public License, Version 3 oder später (GPL-3.0-or-later).&lt;/p&gt;&lt;p&gt;Erstellt mit Qt %2.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::PaymentsPage</name>
    <message>
        <location filename="../ui/paymentspage.cpp" line="90"/>
        <source>Payments</source>
        <translation>Zahlungen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="94"/>
        <location filename="../ui/paymentspage.cpp" line="282"/>
        <source>Pause processing</source>
        <translation>Verarbeitung anhalten</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="105"/>
        <source>Dead letters</source>
        <translation>Unzustellbare Aufgaben</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="107"/>
        <source>Retry</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="109"/>
        <source>Queue the selected dead tasks again</source>
        <translation>Die ausgewählten unzustellbaren Aufgaben erneut einreihen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="110"/>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="112"/>
        <source>Drop the selected dead tasks for good</source>
        <translation>Die ausgewählten unzustellbaren Aufgaben endgültig verwerfen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="116"/>
        <source>Task</source>
        <translation>Aufgabe</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="117"/>
        <location filename="../ui/paymentspage.cpp" line="138"/>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="118"/>
        <location filename="../ui/paymentspage.cpp" line="142"/>
        <source>Reference</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="119"/>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="120"/>
        <source>Dead since</source>
        <translation>Tot seit</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="121"/>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="131"/>
        <source>Recent ledger rows</source>
        <translation>Neueste Buchungen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="136"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="137"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="139"/>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="140"/>
        <source>Balance</source>
        <translation>Guthaben</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="141"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="192"/>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="192"/>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="192"/>
        <source>Low</source>
        <translation>Niedrig</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="192"/>
        <source>In flight</source>
        <translation>In Arbeit</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="192"/>
        <source>Dead</source>
        <translation>Unzustellbar</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="192"/>
        <source>p95 processing</source>
        <translation>p95 Verarbeitung</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="209"/>
        <source>The payment queue is not running.</source>
        <translation>Die Zahlungswarteschlange läuft nicht.</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="278"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="282"/>
        <source>Resume processing</source>
        <translation>Verarbeitung fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="286"/>
        <source>Processing is paused: events are received and stored, not applied.</source>
        <translation>Die Verarbeitung ist angehalten: Ereignisse werden empfangen und gespeichert, aber nicht angewendet.</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="288"/>
        <source>Processing</source>
        <translation>Verarbeitung läuft</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="329"/>
        <source>The ledger is not available.</source>
        <translation>Das Kontobuch ist nicht verfügbar.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/paymentspage.cpp" line="349"/>
        <source>%1 token(s) held  ·  %2 debt  ·  revenue %3  ·  orders: %4 completed, %5 pending</source>
        <translation>
            <numerusform>%1 Token im Bestand  ·  %2 Schulden  ·  Umsatz %3  ·  Bestellungen: %4 abgeschlossen, %5 offen</numerusform>
            <numerusform>%1 Tokens im Bestand  ·  %2 Schulden  ·  Umsatz %3  ·  Bestellungen: %4 abgeschlossen, %5 offen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="373"/>
        <source>%1 (debt %2)</source>
        <translation>%1 (Schulden %2)</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="409"/>
        <source>Discard dead tasks</source>
        <translation>Unzustellbare Aufgaben verwerfen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/paymentspage.cpp" line="410"/>
        <source>Discard %n dead task(s)? Their events stay stored and can be replayed.</source>
        <translation>
            <numerusform>%n unzustellbare Aufgabe verwerfen? Ihre Ereignisse bleiben gespeichert und können erneut abgespielt werden.</numerusform>
            <numerusform>%n unzustellbare Aufgaben verwerfen? Ihre Ereignisse bleiben gespeichert und können erneut abgespielt werden.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::ScreenshotsPage</name>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="66"/>
        <source>Screenshots</source>
        <translation>Bildschirmfotos</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="70"/>
        <source>The VM to watch</source>
        <translation>Die zu beobachtende VM</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="73"/>
        <source>Low (640×480)</source>
        <translation>Niedrig (640×480)</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="74"/>
        <source>Medium (1024×768)</source>
        <translation>Mittel (1024×768)</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="75"/>
        <source>High (1920×1080)</source>
        <translation>Hoch (1920×1080)</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="78"/>
        <source>Auto-refresh</source>
        <translation>Automatisch aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="80"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="85"/>
        <source>Pick a VM, or double-click one on the Fleet page.</source>
        <translation>Wählen Sie eine VM, oder doppelklicken Sie auf der Seite „Flotte“ auf eine.</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="92"/>
        <source>Other VMs of this customer</source>
        <translation>Weitere VMs dieses Kunden</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="192"/>
        <source>VMs of %1</source>
        <translation>VMs von %1</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="204"/>
        <source>The screenshot service is not running.</source>
        <translation>Der Bildschirmfoto-Dienst läuft nicht.</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="257"/>
        <source>The screenshot could not be decoded (%1).</source>
        <translation>Das Bildschirmfoto konnte nicht dekodiert werden (%1).</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="261"/>
        <source>%1 × %2 px  ·  %3  ·  %4  ·  %5  ·  %6</source>
        <translation>%1 × %2 px  ·  %3  ·  %4  ·  %5  ·  %6</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="266"/>
        <source>from cache</source>
        <translation>aus dem Cache</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="266"/>
        <source>fresh from Orgo</source>
        <translation>frisch von Orgo</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="279"/>
        <source>No image: %1</source>
        <translation>Kein Bild: %1</translation>
    </message>
</context>
</TS>
