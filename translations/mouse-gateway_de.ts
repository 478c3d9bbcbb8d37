<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Mouse::Ui::ChartsPage</name>
    <message>
        <location filename="../ui/chartspage.cpp" line="65"/>
        <source>Cache hit rate</source>
        <translation>Cache-Trefferquote</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="65"/>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="65"/>
        <location filename="../ui/chartspage.cpp" line="67"/>
        <source>VM status</source>
        <translation>VM-Status</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="65"/>
        <location filename="../ui/chartspage.cpp" line="67"/>
        <source>Screenshots</source>
        <translation>Bildschirmfotos</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="67"/>
        <source>Cache size</source>
        <translation>Cache-Größe</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="67"/>
        <source>entries</source>
        <translation>Einträge</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="68"/>
        <source>Queue depth</source>
        <translation>Warteschlangenlänge</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="69"/>
        <source>tasks</source>
        <translation>Aufgaben</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="70"/>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="70"/>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="70"/>
        <source>Low</source>
        <translation>Niedrig</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="70"/>
        <source>In flight</source>
        <translation>In Arbeit</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="73"/>
        <source>Task processing time (p95)</source>
        <translation>Verarbeitungszeit der Aufgaben (p95)</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="73"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="73"/>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="82"/>
        <source>Charts</source>
        <translation>Diagramme</translation>
    </message>
    <message>
        <location filename="../ui/chartspage.cpp" line="131"/>
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
        <location filename="../ui/eventlogpage.cpp" line="82"/>
        <source>Event log</source>
        <translation>Ereignisprotokoll</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="91"/>
        <source>Filter by source or message</source>
        <translation>Nach Quelle oder Meldung filtern</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="96"/>
        <source>All severities</source>
        <translation>Alle Schweregrade</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="98"/>
        <source>Warnings and errors</source>
        <translation>Warnungen und Fehler</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="101"/>
        <source>Errors only</source>
        <translation>Nur Fehler</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="105"/>
        <location filename="../ui/eventlogpage.cpp" line="134"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location filename="../ui/eventlogpage.cpp" line="106"/>
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
        <location filename="../ui/fleetpage.cpp" line="129"/>
        <location filename="../ui/fleetpage.cpp" line="396"/>
        <source>All customers</source>
        <translation>Alle Kunden</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="136"/>
        <source>Any status</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="150"/>
        <source>With errors</source>
        <translation>Mit Fehlern</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="152"/>
        <source>Stale data</source>
        <translation>Veraltete Daten</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="159"/>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="160"/>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="161"/>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="162"/>
        <source>Screenshot</source>
        <translation>Bildschirmfoto</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="338"/>
        <source>Refreshing %1 / %2</source>
        <translation>Aktualisiere %1 / %2</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="439"/>
        <source>%1 running</source>
        <translation>%1 laufen</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="442"/>
        <source>%1 changing</source>
        <translation>%1 im Wechsel</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="444"/>
        <source>%1 in error</source>
        <translation>%1 mit Fehlerstatus</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="440"/>
        <source>%1 stopped</source>
        <translation>%1 gestoppt</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="446"/>
        <source>%1 unknown</source>
        <translation>%1 unbekannt</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="452"/>
        <source>%1 stale</source>
        <translation>%1 veraltet</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="510"/>
        <source>Stop the VM of %1? Its work is interrupted.</source>
        <translation>Die VM von %1 stoppen? Ihre Arbeit wird unterbrochen.</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="511"/>
        <source>Restart the VM of %1? Its work is interrupted.</source>
        <translation>Die VM von %1 neu starten? Ihre Arbeit wird unterbrochen.</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="512"/>
        <source>Confirm</source>
        <translation>Bestätigen</translation>
    </message>
    <message>
        <location filename="../ui/fleetpage.cpp" line="530"/>
        <source>VM action failed</source>
        <translation>VM-Aktion fehlgeschlagen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/fleetpage.cpp" line="364"/>
        <source>%n VM(s) refreshed in %1 ms at %2</source>
        <translation>
            <numerusform>%n VM in %1 ms aktualisiert um %2</numerusform>
            <numerusform>%n VMs in %1 ms aktualisiert um %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/fleetpage.cpp" line="431"/>
        <source>%n VM(s)</source>
        <translation>
            <numerusform>%n VM</numerusform>
            <numerusform>%n VMs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/fleetpage.cpp" line="450"/>
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
        <location filename="../ui/fleettablemodel.cpp" line="112"/>
        <source>Orgo reports the VM in error; restart it to recover</source>
        <translation>Orgo meldet die VM im Fehlerzustand; ein Neustart behebt ihn</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="135"/>
        <source>VM %1</source>
        <translation>VM %1</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="137"/>
        <source>Status read %1 (%2)</source>
        <translation>Status gelesen um %1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="141"/>
        <source>Stale: served from the cache past its lifetime</source>
        <translation>Veraltet: nach Ablauf seiner Lebensdauer aus dem Cache geliefert</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="143"/>
        <source>Error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="145"/>
        <source>Request id: %1</source>
        <translation>Anfrage-ID: %1</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="158"/>
        <source>VM</source>
        <translation>VM</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="160"/>
        <source>Employee</source>
        <translation>Mitarbeiter</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="162"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="164"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="166"/>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="168"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="222"/>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="223"/>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="224"/>
        <source>suspended</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="225"/>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="226"/>
        <source>stopping</source>
        <translation>stoppt</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="227"/>
        <source>restarting</source>
        <translation>startet neu</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="228"/>
        <source>creating</source>
        <translation>wird erstellt</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="229"/>
        <source>deleting</source>
        <translation>wird gelöscht</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="230"/>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="231"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="262"/>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="265"/>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="267"/>
        <source>%1 s ago</source>
        <translation>vor %1 s</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="269"/>
        <source>%1 min ago</source>
        <translation>vor %1 min</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="271"/>
        <source>%1 h ago</source>
        <translation>vor %1 h</translation>
    </message>
    <message>
        <location filename="../ui/fleettablemodel.cpp" line="272"/>
        <source>%1 d ago</source>
        <translation>vor %1 d</translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="82"/>
        <source>Mouse Gateway</source>
        <translation>Mouse Gateway</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="131"/>
        <source>Fleet</source>
        <translation>Flotte</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="132"/>
        <source>Screenshots</source>
        <translation>Bildschirmfotos</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="133"/>
        <source>Charts</source>
        <translation>Diagramme</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="134"/>
        <source>Payments</source>
        <translation>Zahlungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="135"/>
        <source>Event log</source>
        <translation>Ereignisprotokoll</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="179"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="180"/>
        <source>Copy &amp;admin token</source>
        <translation>&amp;Admin-Token kopieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="182"/>
        <source>Copy server &amp;URL</source>
        <translation>Server-&amp;URL kopieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="185"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="190"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="197"/>
        <source>&amp;Refresh fleet</source>
        <translation>Flotte &amp;aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="202"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="203"/>
        <source>&amp;About Mouse Gateway</source>
        <translation>Ü&amp;ber Mouse Gateway</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="206"/>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="226"/>
        <source>Fleet %1/%2</source>
        <translation>Flotte %1/%2</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="233"/>
        <source>The gateway&apos;s HTTP API; click to open, or copy it</source>
        <translation>Die HTTP-API des Gateways; zum Öffnen klicken oder kopieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="237"/>
        <source>Copy the server URL</source>
        <translation>Die Server-URL kopieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="243"/>
        <source>Orgo</source>
        <translation>Orgo</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="244"/>
        <source>sandbox</source>
        <translation>Sandbox</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="244"/>
        <source>real</source>
        <translation>echt</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="245"/>
        <source>No Orgo API key is set: VMs come from the built-in sandbox fleet</source>
        <translation>Kein Orgo-API-Schlüssel gesetzt: Die VMs stammen aus der eingebauten Sandbox-Flotte</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="247"/>
        <source>Connected to the real Orgo API</source>
        <translation>Mit der echten Orgo-API verbunden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="256"/>
        <source>Admin token %1</source>
        <translation>Admin-Token %1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="258"/>
        <source>Generated for this run; click to copy it</source>
        <translation>Für diesen Lauf erzeugt; zum Kopieren klicken</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="259"/>
        <source>Configured; click to copy it</source>
        <translation>Konfiguriert; zum Kopieren klicken</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="293"/>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="294"/>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="295"/>
        <source>half-open</source>
        <translation>halb offen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="297"/>
        <source>Breaker</source>
        <translation>Schutzschalter</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="299"/>
        <source>Orgo is failing: calls fail fast and the last known statuses are served, marked stale</source>
        <translation>Orgo fällt aus: Aufrufe scheitern sofort, die zuletzt bekannten Status werden als veraltet markiert ausgeliefert</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="301"/>
        <source>Cooling down: one probe call is let through</source>
        <translation>Abkühlphase: ein Testaufruf wird durchgelassen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="302"/>
        <source>Orgo calls flow normally</source>
        <translation>Orgo-Aufrufe laufen normal</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="319"/>
        <source>Admin token copied to the clipboard</source>
        <translation>Admin-Token in die Zwischenablage kopiert</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="325"/>
        <source>Server URL copied to the clipboard</source>
        <translation>Server-URL in die Zwischenablage kopiert</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="331"/>
        <source>About Mouse Gateway</source>
        <translation>Über Mouse Gateway</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="334"/>
        <source>&lt;h3&gt;Mouse Gateway %1&lt;/h3&gt;&lt;p&gt;Admin dashboard and API gateway for the Mouse platform.&lt;/p&gt;&lt;p&gt;Licensed under the GNU General Public License, version 3 or later (GPL-3.0-or-later).&lt;/p&gt;&lt;p&gt;Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Mouse Gateway %1&lt;/h3&gt;&lt;p&gt;Admin-Dashboard und API-Gateway der Mouse-Plattform.&lt;/p&gt;&lt;p&gt;Lizenziert unter der GNU General Public License, Version 3 oder später (GPL-3.0-or-later).&lt;/p&gt;&lt;p&gt;Erstellt mit Qt %2.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::PaymentsPage</name>
    <message>
        <location filename="../ui/paymentspage.cpp" line="103"/>
        <source>Payments</source>
        <translation>Zahlungen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="107"/>
        <location filename="../ui/paymentspage.cpp" line="305"/>
        <source>Pause processing</source>
        <translation>Verarbeitung anhalten</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="118"/>
        <source>Dead letters</source>
        <translation>Unzustellbare Aufgaben</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="120"/>
        <source>Retry</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="122"/>
        <source>Queue the selected dead tasks again</source>
        <translation>Die ausgewählten unzustellbaren Aufgaben erneut einreihen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="123"/>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="125"/>
        <source>Drop the selected dead tasks for good</source>
        <translation>Die ausgewählten unzustellbaren Aufgaben endgültig verwerfen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="129"/>
        <source>Task</source>
        <translation>Aufgabe</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="130"/>
        <location filename="../ui/paymentspage.cpp" line="154"/>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="131"/>
        <location filename="../ui/paymentspage.cpp" line="158"/>
        <source>Reference</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="132"/>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="133"/>
        <source>Dead since</source>
        <translation>Tot seit</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="134"/>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="140"/>
        <source>No dead letters: every payment task succeeded or is still being tried.</source>
        <translation>Keine unzustellbaren Aufgaben: jede Zahlungsaufgabe ist gelungen oder wird noch versucht.</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="147"/>
        <source>Recent ledger rows</source>
        <translation>Neueste Buchungen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="152"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="153"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="155"/>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="156"/>
        <source>Balance</source>
        <translation>Guthaben</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="157"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="161"/>
        <source>No token movements yet.</source>
        <translation>Noch keine Token-Buchungen.</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="209"/>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="209"/>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="209"/>
        <source>Low</source>
        <translation>Niedrig</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="209"/>
        <source>In flight</source>
        <translation>In Arbeit</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="209"/>
        <source>Dead</source>
        <translation>Unzustellbar</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="209"/>
        <source>p95 processing</source>
        <translation>p95 Verarbeitung</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="226"/>
        <source>The payment queue is not running.</source>
        <translation>Die Zahlungswarteschlange läuft nicht.</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="298"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="301"/>
        <source>No payment task finished yet.</source>
        <translation>Noch keine Zahlungsaufgabe abgeschlossen.</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="305"/>
        <source>Resume processing</source>
        <translation>Verarbeitung fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="309"/>
        <source>Processing is paused: events are received and stored, not applied.</source>
        <translation>Die Verarbeitung ist angehalten: Ereignisse werden empfangen und gespeichert, aber nicht angewendet.</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="311"/>
        <source>Processing</source>
        <translation>Verarbeitung läuft</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="353"/>
        <source>The ledger is not available.</source>
        <translation>Das Kontobuch ist nicht verfügbar.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/paymentspage.cpp" line="375"/>
        <source>%1 token(s) held  ·  %2 debt  ·  revenue %3  ·  orders: %4 completed, %5 pending</source>
        <translation>
            <numerusform>%1 Token im Bestand  ·  %2 Schulden  ·  Umsatz %3  ·  Bestellungen: %4 abgeschlossen, %5 offen</numerusform>
            <numerusform>%1 Tokens im Bestand  ·  %2 Schulden  ·  Umsatz %3  ·  Bestellungen: %4 abgeschlossen, %5 offen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="402"/>
        <source>%1 (debt %2)</source>
        <translation>%1 (Schulden %2)</translation>
    </message>
    <message>
        <location filename="../ui/paymentspage.cpp" line="438"/>
        <source>Discard dead tasks</source>
        <translation>Unzustellbare Aufgaben verwerfen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/paymentspage.cpp" line="439"/>
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
        <location filename="../ui/screenshotspage.cpp" line="113"/>
        <source>Screenshots</source>
        <translation>Bildschirmfotos</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="121"/>
        <source>Low (640×480)</source>
        <translation>Niedrig (640×480)</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="122"/>
        <source>Medium (1024×768)</source>
        <translation>Mittel (1024×768)</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="123"/>
        <source>High (1920×1080)</source>
        <translation>Hoch (1920×1080)</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="126"/>
        <source>Auto-refresh</source>
        <translation>Automatisch aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="128"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="133"/>
        <source>Pick a VM, or double-click one on the Fleet page.</source>
        <translation>Wählen Sie eine VM, oder doppelklicken Sie auf der Seite „Flotte“ auf eine.</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="140"/>
        <source>Other VMs of this customer</source>
        <translation>Weitere VMs dieses Kunden</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="210"/>
        <source>(no employee)</source>
        <translation>(kein Mitarbeiter)</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="263"/>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="264"/>
        <source>Suspended</source>
        <translation>Angehalten</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="265"/>
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="266"/>
        <source>Stopping</source>
        <translation>Stoppt</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="267"/>
        <source>Restarting</source>
        <translation>Startet neu</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="268"/>
        <source>Creating</source>
        <translation>Wird erstellt</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="269"/>
        <source>Deleting</source>
        <translation>Wird gelöscht</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="270"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="271"/>
        <source>Status unknown</source>
        <translation>Status unbekannt</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="336"/>
        <source>VMs of %1</source>
        <translation>VMs von %1</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="357"/>
        <source>The screenshot service is not running.</source>
        <translation>Der Bildschirmfoto-Dienst läuft nicht.</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="410"/>
        <source>The screenshot could not be decoded (%1).</source>
        <translation>Das Bildschirmfoto konnte nicht dekodiert werden (%1).</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="414"/>
        <source>%1 × %2 px  ·  %3  ·  %4  ·  %5  ·  %6</source>
        <translation>%1 × %2 px  ·  %3  ·  %4  ·  %5  ·  %6</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="419"/>
        <source>from cache</source>
        <translation>aus dem Cache</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="419"/>
        <source>fresh from Orgo</source>
        <translation>frisch von Orgo</translation>
    </message>
    <message>
        <location filename="../ui/screenshotspage.cpp" line="432"/>
        <source>No image: %1</source>
        <translation>Kein Bild: %1</translation>
    </message>
</context>
</TS>
