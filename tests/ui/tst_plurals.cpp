// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Counts in the dashboard's texts agree with their nouns ("1 VM", "2 VMs"), in English (the
// plural-only translation the dashboard always installs) and in German; and the German of the
// fleet's statuses and of the thumbnail tiles' states.
#include "ui/fleettablemodel.h"
#include "ui/screenshotspage.h"

#include <QCoreApplication>
#include <QTest>
#include <QTranslator>

class tst_Plurals : public QObject
{
    Q_OBJECT

private slots:
    void english_data();
    void english();
    void german();
    void germanStatuses();
    void germanTileStates();
};

namespace {

QString translated(const char *file, const char *context, const char *source, int n)
{
    QTranslator translator;
    if (!translator.load(QString::fromLatin1(file), QStringLiteral(":/i18n")))
        return QStringLiteral("<no %1.qm>").arg(QLatin1String(file));
    QCoreApplication::installTranslator(&translator);
    const QString text = QCoreApplication::translate(context, source, nullptr, n);
    QCoreApplication::removeTranslator(&translator);
    return text;
}

} // namespace

void tst_Plurals::english_data()
{
    QTest::addColumn<QByteArray>("context");
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("expected");
    const QByteArray fleet = "Mouse::Ui::FleetPage";
    const QByteArray payments = "Mouse::Ui::PaymentsPage";
    QTest::newRow("1 VM") << fleet << QByteArray("%n VM(s)") << 1 << QStringLiteral("1 VM");
    QTest::newRow("60 VMs") << fleet << QByteArray("%n VM(s)") << 60 << QStringLiteral("60 VMs");
    QTest::newRow("0 VMs") << fleet << QByteArray("%n VM(s)") << 0 << QStringLiteral("0 VMs");
    QTest::newRow("1 error") << fleet << QByteArray("%n fetch error(s)") << 1
                             << QStringLiteral("1 fetch error");
    QTest::newRow("2 errors") << fleet << QByteArray("%n fetch error(s)") << 2
                              << QStringLiteral("2 fetch errors");
    QTest::newRow("refreshed 1") << fleet << QByteArray("%n VM(s) refreshed in %1 ms at %2") << 1
                                 << QStringLiteral("1 VM refreshed in %1 ms at %2");
    QTest::newRow("discard 1")
            << payments
            << QByteArray("Discard %n dead task(s)? Their events stay stored and can be replayed.")
            << 1
            << QStringLiteral("Discard 1 dead task? Its event stays stored and can be replayed.");
    QTest::newRow("discard 3")
            << payments
            << QByteArray("Discard %n dead task(s)? Their events stay stored and can be replayed.")
            << 3
            << QStringLiteral(
                       "Discard 3 dead tasks? Their events stay stored and can be replayed.");
    QTest::newRow("1 token")
            << payments
            << QByteArray("%1 token(s) held  ·  %2 debt  ·  revenue %3  ·  orders: %4 completed, "
                          "%5 pending")
            << 1
            << QStringLiteral("%1 token held  ·  %2 debt  ·  revenue %3  ·  orders: %4 completed, "
                              "%5 pending");
}

void tst_Plurals::english()
{
    QFETCH(QByteArray, context);
    QFETCH(QByteArray, source);
    QFETCH(int, n);
    QFETCH(QString, expected);
    QCOMPARE(translated("mouse-gateway_en", context.constData(), source.constData(), n), expected);
}

void tst_Plurals::german()
{
    const char *fleet = "Mouse::Ui::FleetPage";
    QCOMPARE(translated("mouse-gateway_de", fleet, "%n VM(s)", 1), QStringLiteral("1 VM"));
    QCOMPARE(translated("mouse-gateway_de", fleet, "%n VM(s)", 2), QStringLiteral("2 VMs"));
    QCOMPARE(translated("mouse-gateway_de",
                        "Mouse::Ui::PaymentsPage",
                        "Discard %n dead task(s)? Their events stay stored and can be replayed.",
                        1),
             QStringLiteral("1 unzustellbare Aufgabe verwerfen? Ihre Ereignisse bleiben "
                            "gespeichert und können erneut abgespielt werden."));
}

// The fleet's Status column and filter in the dashboard's language; a status the dashboard
// does not know as Orgo spells it.
void tst_Plurals::germanStatuses()
{
    using Mouse::Ui::FleetTableModel;
    QCOMPARE(FleetTableModel::statusText(QStringLiteral("running")), QStringLiteral("running"));
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral("mouse-gateway_de"), QStringLiteral(":/i18n")));
    QCoreApplication::installTranslator(&translator);
    const QString running = FleetTableModel::statusText(QStringLiteral("running"));
    const QString error = FleetTableModel::statusText(QStringLiteral("error"));
    const QString odd = FleetTableModel::statusText(QStringLiteral("hibernating"));
    QCoreApplication::removeTranslator(&translator);
    QCOMPARE(running, QStringLiteral("läuft"));
    QCOMPARE(error, QStringLiteral("Fehler"));
    QCOMPARE(odd, QStringLiteral("hibernating"));
}

// What a thumbnail tile says for a VM that is not running, in German.
void tst_Plurals::germanTileStates()
{
    using Mouse::Ui::ScreenshotsPage;
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral("mouse-gateway_de"), QStringLiteral(":/i18n")));
    QCoreApplication::installTranslator(&translator);
    const QString stopped = ScreenshotsPage::tileStateText(QStringLiteral("stopped"));
    const QString starting = ScreenshotsPage::tileStateText(QStringLiteral("starting"));
    const QString unknown = ScreenshotsPage::tileStateText(QStringLiteral("unknown"));
    const QString running = ScreenshotsPage::tileStateText(QStringLiteral("running"));
    QCoreApplication::removeTranslator(&translator);
    QCOMPARE(stopped, QStringLiteral("Gestoppt"));
    QCOMPARE(starting, QStringLiteral("Startet"));
    QCOMPARE(unknown, QStringLiteral("Status unbekannt"));
    QCOMPARE(running, QString());
}

QTEST_MAIN(tst_Plurals)
#include "tst_plurals.moc"
