// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Replays the fuzz seeds and every input a fuzzer ever crashed on (tests/fuzz/corpus and
// tests/fuzz/regressions) through the same target functions, in every normal build (and under
// AddressSanitizer in CI), so a fixed crash stays fixed.
#include "../fuzz/fuzztargets.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTest>

namespace {

using Target = void (*)(const uint8_t *, size_t);

int replay(const QString &name, Target target)
{
    int files = 0;
    for (const char *kind : {"corpus", "regressions"}) {
        const QString folder
                = QStringLiteral(MOUSE_FUZZ_DIR "/%1/%2").arg(QLatin1String(kind), name);
        QDirIterator it(folder, QDir::Files);
        while (it.hasNext()) {
            const QString path = it.next();
            if (it.fileName().startsWith(u'.'))
                continue;
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                continue;
            const QByteArray data = file.readAll();
            target(reinterpret_cast<const uint8_t *>(data.constData()), size_t(data.size()));
            ++files;
        }
    }
    return files;
}

} // namespace

class tst_FuzzRegressions : public QObject
{
    Q_OBJECT

private slots:
    void replay_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<void *>("target");
        QTest::newRow("requestframer") << QStringLiteral("requestframer")
                                       << reinterpret_cast<void *>(&Mouse::Fuzz::requestFramer);
        QTest::newRow("router") << QStringLiteral("router")
                                << reinterpret_cast<void *>(&Mouse::Fuzz::router);
        QTest::newRow("stripesignature") << QStringLiteral("stripesignature")
                                         << reinterpret_cast<void *>(&Mouse::Fuzz::stripeSignature);
        QTest::newRow("stripeevent") << QStringLiteral("stripeevent")
                                     << reinterpret_cast<void *>(&Mouse::Fuzz::stripeEvent);
        QTest::newRow("orgoparsers") << QStringLiteral("orgoparsers")
                                     << reinterpret_cast<void *>(&Mouse::Fuzz::orgoParsers);
    }

    void replay()
    {
        QFETCH(QString, name);
        QFETCH(void *, target);
        QVERIFY(::replay(name, reinterpret_cast<Target>(target)) > 0);
    }

    void edgeInputs()
    {
        // Empty and tiny inputs, as libFuzzer starts with.
        for (Target target : {&Mouse::Fuzz::requestFramer,
                              &Mouse::Fuzz::router,
                              &Mouse::Fuzz::stripeSignature,
                              &Mouse::Fuzz::stripeEvent,
                              &Mouse::Fuzz::orgoParsers}) {
            const uint8_t bytes[4] = {0, 0xff, '\n', 0};
            for (size_t size = 0; size <= 4; ++size)
                target(bytes, size);
        }
    }
};

QTEST_GUILESS_MAIN(tst_FuzzRegressions)
#include "tst_fuzzregressions.moc"
