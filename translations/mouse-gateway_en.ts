<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- SPDX-FileCopyrightText: 2026 Mouse Gateway developers -->
<!-- SPDX-License-Identifier: GPL-3.0-or-later -->
<!-- English plural forms only (lupdate -pluralonly): the source texts are English, but a
     count's noun needs its singular and plural. Loaded for every language, before it. -->
<TS version="2.1" language="en">
<context>
    <name>Mouse::Ui::FleetPage</name>
    <message numerus="yes">
        <location filename="../ui/fleetpage.cpp"/>
        <source>%n VM(s) refreshed in %1 ms at %2</source>
        <translation>
            <numerusform>%n VM refreshed in %1 ms at %2</numerusform>
            <numerusform>%n VMs refreshed in %1 ms at %2</numerusform>
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
            <numerusform>%n fetch error</numerusform>
            <numerusform>%n fetch errors</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Mouse::Ui::PaymentsPage</name>
    <message numerus="yes">
        <location filename="../ui/paymentspage.cpp"/>
        <source>%1 token(s) held  ·  %2 debt  ·  revenue %3  ·  orders: %4 completed, %5 pending</source>
        <translation>
            <numerusform>%1 token held  ·  %2 debt  ·  revenue %3  ·  orders: %4 completed, %5 pending</numerusform>
            <numerusform>%1 tokens held  ·  %2 debt  ·  revenue %3  ·  orders: %4 completed, %5 pending</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/paymentspage.cpp"/>
        <source>Discard %n dead task(s)? Their events stay stored and can be replayed.</source>
        <translation>
            <numerusform>Discard %n dead task? Its event stays stored and can be replayed.</numerusform>
            <numerusform>Discard %n dead tasks? Their events stay stored and can be replayed.</numerusform>
        </translation>
    </message>
</context>
</TS>
