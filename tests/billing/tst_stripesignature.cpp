// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/stripeevent.h"
#include "core/billing/stripesignature.h"

#include <QMessageAuthenticationCode>
#include <QTest>

using namespace Mouse;

namespace {

const QByteArray kSecret = "whsec_test";
const QByteArray kBody = R"({"id":"evt_1","object":"event","type":"invoice.paid"})";
const qint64 kT = 1700000000;
const QByteArray kSig = "8ad3ccd6627d4c5ccaca4879744c3321eb0c9d89da2714501614c0a82c36c505";

SignatureCheck verify(const QByteArray &header,
                      const QByteArray &body = kBody,
                      const QList<QByteArray> &secrets = {kSecret},
                      qint64 now = kT,
                      qint64 tolerance = 300)
{
    return verifyStripeSignature(header, body, secrets, now, tolerance);
}

} // namespace

class TestStripeSignature final : public QObject
{
    Q_OBJECT

private slots:
    void knownAnswerVectors()
    {
        QCOMPARE(stripeSignature(kSecret, "1700000000", kBody), kSig);
        QCOMPARE(stripeSignature("whsec_x", "1", "{}"),
                 QByteArray("36ee2f7498f0c1777d1312b2a7361947fe5ad31223be30d0c62421f4ca753401"));
        QCOMPARE(makeStripeSignatureHeader({kSecret}, kT, kBody), "t=1700000000,v1=" + kSig);
    }

    // A thread's keyed context is reused for every message: each one starts from the key alone,
    // whatever came before (another message, another secret, a message cut short).
    void keyedContextReusedPerMessage()
    {
        const QByteArray other("36ee2f7498f0c1777d1312b2a7361947fe5ad31223be30d0c62421f4ca753401");
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(stripeSignature(kSecret, "1700000000", kBody), kSig);
            const QByteArray body = kBody + QByteArray(i, ' ');
            const QByteArray expected = QMessageAuthenticationCode::hash(
                    "1700000000." + body, kSecret, QCryptographicHash::Sha256);
            QCOMPARE(stripeSignature(kSecret, "1700000000", body), expected.toHex());
            QCOMPARE(stripeSignature("whsec_x", "1", "{}"), other);
        }
    }

    void validSignature()
    {
        QCOMPARE(verify("t=1700000000,v1=" + kSig), SignatureCheck::Valid);
        // v0 (Stripe's fake test scheme) and diagnostic metadata are ignored.
        QCOMPARE(verify("t=1700000000,v0=abc,v1=" + kSig + ",secret=whsec_***,payload=1234"),
                 SignatureCheck::Valid);
        QCOMPARE(verify("v1=" + kSig + ",t=1700000000"), SignatureCheck::Valid);
    }

    void wrongSecretOrTamperedBody()
    {
        QCOMPARE(verify("t=1700000000,v1=" + kSig, kBody, {"whsec_other"}),
                 SignatureCheck::BadSignature);
        QByteArray tampered = kBody;
        tampered.replace("invoice.paid", "invoice.void");
        QCOMPARE(verify("t=1700000000,v1=" + kSig, tampered), SignatureCheck::BadSignature);
        QCOMPARE(verify("t=1700000000,v1=" + kSig, kBody + "\n"), SignatureCheck::BadSignature);
        // The timestamp is signed too.
        QCOMPARE(verify("t=1700000001,v1=" + kSig, kBody, {kSecret}, kT),
                 SignatureCheck::BadSignature);
    }

    void toleranceLikeTheLibraries()
    {
        const QByteArray header = "t=1700000000,v1=" + kSig;
        QCOMPARE(verify(header, kBody, {kSecret}, kT + 299), SignatureCheck::Valid);
        QCOMPARE(verify(header, kBody, {kSecret}, kT + 300), SignatureCheck::Valid);
        QCOMPARE(verify(header, kBody, {kSecret}, kT + 301), SignatureCheck::StaleTimestamp);
        QCOMPARE(verify(header, kBody, {kSecret}, kT + 100, 60), SignatureCheck::StaleTimestamp);
        // Future timestamps pass, as in stripe-node and stripe-python.
        QCOMPARE(verify(header, kBody, {kSecret}, kT - 3600), SignatureCheck::Valid);
        // tolerance <= 0 disables the age check.
        QCOMPARE(verify(header, kBody, {kSecret}, kT + 86400 * 365, 0), SignatureCheck::Valid);
        // A stale header with a wrong signature is a bad signature (signature first).
        QCOMPARE(verify(header, kBody, {"whsec_other"}, kT + 1000), SignatureCheck::BadSignature);
    }

    void rotationWithTwoSecrets()
    {
        const QByteArray oldSecret = "whsec_old";
        const QByteArray newSecret = "whsec_new";
        const QByteArray both = makeStripeSignatureHeader({newSecret, oldSecret}, kT, kBody);
        QCOMPARE(both.count(",v1="), 2);
        QCOMPARE(verify(both, kBody, {oldSecret}), SignatureCheck::Valid);
        QCOMPARE(verify(both, kBody, {newSecret}), SignatureCheck::Valid);
        // Our side configured with both: a header signed with either passes.
        const QByteArray onlyOld = makeStripeSignatureHeader({oldSecret}, kT, kBody);
        QCOMPARE(verify(onlyOld, kBody, {newSecret, oldSecret}), SignatureCheck::Valid);
        QCOMPARE(verify(onlyOld, kBody, {newSecret}), SignatureCheck::BadSignature);
    }

    void malformedHeaders_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<int>("expected");
        const auto malformed = int(SignatureCheck::MalformedHeader);
        QTest::newRow("empty") << QByteArray() << int(SignatureCheck::MissingHeader);
        QTest::newRow("no t") << QByteArray("v1=" + kSig) << malformed;
        QTest::newRow("no v1") << QByteArray("t=1700000000") << malformed;
        QTest::newRow("only v0") << QByteArray("t=1700000000,v0=" + kSig) << malformed;
        QTest::newRow("space after comma") << QByteArray("t=1700000000, v1=" + kSig) << malformed;
        QTest::newRow("space before t") << QByteArray(" t=1700000000,v1=" + kSig) << malformed;
        QTest::newRow("uppercase key") << QByteArray("T=1700000000,V1=" + kSig) << malformed;
        QTest::newRow("uppercase hex") << QByteArray("t=1700000000,v1=" + kSig.toUpper())
                                       << int(SignatureCheck::BadSignature);
        QTest::newRow("empty v1") << QByteArray("t=1700000000,v1=")
                                  << int(SignatureCheck::BadSignature);
        QTest::newRow("non-numeric t") << QByteArray("t=abc,v1=" + kSig) << malformed;
        QTest::newRow("commas only") << QByteArray(",,,") << malformed;
        QTest::newRow("short v1") << QByteArray("t=1700000000,v1=8ad3")
                                  << int(SignatureCheck::BadSignature);
    }
    void malformedHeaders()
    {
        QFETCH(QByteArray, header);
        QFETCH(int, expected);
        QCOMPARE(int(verify(header)), expected);
    }

    void noSecretConfigured()
    {
        QCOMPARE(verify("t=1700000000,v1=" + kSig, kBody, {}), SignatureCheck::NoSecret);
        QCOMPARE(verify("t=1700000000,v1=" + kSig, kBody, {"  "}), SignatureCheck::NoSecret);
    }

    void parserCollectsEveryV1()
    {
        const auto parsed = parseStripeSignatureHeader("t=12,v1=aa,x=1,v1=bb,v1=cc=dd,junk");
        QVERIFY(parsed);
        QCOMPARE(parsed->timestamp, QByteArray("12"));
        QCOMPARE(parsed->timestampSeconds, 12);
        QCOMPARE(parsed->signatures, (QList<QByteArray>{"aa", "bb", "cc=dd"}));
        QVERIFY(!parseStripeSignatureHeader(QByteArray(10000, ',')));
    }

    void reasonCodes()
    {
        QCOMPARE(signatureCheckCode(SignatureCheck::MissingHeader), u"missing_signature");
        QCOMPARE(signatureCheckCode(SignatureCheck::MalformedHeader), u"bad_signature");
        QCOMPARE(signatureCheckCode(SignatureCheck::BadSignature), u"bad_signature");
        QCOMPARE(signatureCheckCode(SignatureCheck::StaleTimestamp), u"stale_timestamp");
    }

    void envelope()
    {
        StripeEventError error{};
        QVERIFY(!parseStripeEvent("not json", &error));
        QCOMPARE(int(error), int(StripeEventError::InvalidJson));
        QVERIFY(!parseStripeEvent("[1,2]", &error));
        QCOMPARE(int(error), int(StripeEventError::InvalidJson));
        QVERIFY(!parseStripeEvent(R"({"id":"evt_1","type":"x"})", &error));
        QCOMPARE(int(error), int(StripeEventError::NotAnEvent));
        QVERIFY(!parseStripeEvent(R"({"id":"evt_1","object":"charge","type":"x",
                                      "data":{"object":{}}})",
                                  &error));
        QCOMPARE(int(error), int(StripeEventError::NotAnEvent));

        const auto event = parseStripeEvent(R"({"id":"evt_9","object":"event",
            "type":"checkout.session.completed","created":1700000001,"livemode":true,
            "data":{"object":{"id":"cs_1","customer":"cus_9",
                              "metadata":{"customer_id":"c_42"}}}})");
        QVERIFY(event);
        QCOMPARE(event->id, u"evt_9");
        QCOMPARE(event->type, u"checkout.session.completed");
        QCOMPARE(event->created, 1700000001);
        QVERIFY(event->livemode);
        QCOMPARE(event->orderingKey(), u"c_42");

        const auto stripeCustomer = parseStripeEvent(R"({"id":"e","type":"invoice.paid",
            "data":{"object":{"id":"in_1","customer":{"id":"cus_7"}}}})");
        QVERIFY(stripeCustomer);
        QCOMPARE(stripeCustomer->orderingKey(), u"cus_7");
        const auto none = parseStripeEvent(R"({"id":"e","type":"plan.created",
            "data":{"object":{"id":"plan_1"}}})");
        QVERIFY(none);
        QVERIFY(none->orderingKey().isEmpty());
    }
    // The intake's scan must say exactly what the full parse says, or leave it to it.
    void envelopeScanAgreesWithFullParse_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("scanned"); // the fast path decides on its own

        auto row = [](const char *name, const QByteArray &body, bool scanned) {
            QTest::newRow(name) << body << scanned;
        };
        row("plain",
            R"({"id":"evt_1","object":"event","type":"checkout.session.completed",)"
            R"("created":1700000001,"livemode":false,"data":{"object":{"id":"cs_1",)"
            R"("object":"checkout.session","amount_total":1900,"ratio":0.5,"items":[1,"a",)"
            R"({"x":null}],"metadata":{"customer_id":"c_1","package_slug":"starter"}}}})",
            true);
        row("live, no kind",
            R"( {"type":"t","id":"e","livemode":true,"data":{"object":{}}} )",
            true);
        row("client reference",
            R"({"id":"e","type":"t","data":{"object":{"client_reference_id":"r_1",)"
            R"("metadata":{"customer_id":""}}}})",
            true);
        row("customer object",
            R"({"id":"e","type":"t","data":{"object":{"customer":{"id":"cus_7"}}}})",
            true);
        row("customer string",
            R"({"id":"e","type":"t","data":{"object":{"customer":"cus_8"}}})",
            true);
        row("customer itself",
            R"({"id":"e","type":"t","data":{"object":{"object":"customer","id":"cus_9"}}})",
            true);
        row("customer not a string",
            R"({"id":"e","type":"t","data":{"object":{"customer":5,"metadata":[]}}})",
            true);
        row("duplicate keys, last wins",
            R"({"id":"a","id":"b","type":"t","created":1,"created":2,"livemode":true,)"
            R"("livemode":false,"data":{"object":{"metadata":{"customer_id":"x"},)"
            R"("metadata":{}}}})",
            true);
        row("later data not an object",
            R"({"id":"e","type":"t","data":{"object":{}},"data":1})",
            false);
        row("non-ASCII elsewhere",
            "{\"id\":\"e\",\"type\":\"t\",\"data\":{\"object\":{\"name\":\"Jos\xc3\xa9\"}}}",
            true);
        row("escapes elsewhere",
            "{\"id\":\"e\",\"type\":\"t\",\"data\":{\"object\":{\"d\":\"a\\\"b\\\\c\\/"
            "\\n\\u00e9\"}}}",
            true);
        row("escaped key", R"({"i\u0064":"e","type":"t","data":{"object":{}}})", false);
        row("escaped id", R"({"id":"e\u0031","type":"t","data":{"object":{}}})", false);
        row("non-ASCII id", "{\"id\":\"\xc3\xa9\",\"type\":\"t\",\"data\":{\"object\":{}}}", false);
        row("surrogate escape",
            R"({"id":"e","type":"t","x":"\ud83d\ude00","data":{"object":{}}})",
            false);
        row("exponent", R"({"id":"e","type":"t","n":1e3,"data":{"object":{}}})", false);
        row("decimal created",
            R"({"id":"e","type":"t","created":1.0,"data":{"object":{}}})",
            false);
        row("long integer",
            R"({"id":"e","type":"t","n":123456789012345678,"data":{"object":{}}})",
            false);
        row("negative created", R"({"id":"e","type":"t","created":-5,"data":{"object":{}}})", true);
        row("string created", R"({"id":"e","type":"t","created":"5","data":{"object":{}}})", true);
        // Not events, or not JSON: the full parse decides (and says why).
        row("kind charge",
            R"({"id":"e","object":"charge","type":"t","data":{"object":{}}})",
            false);
        row("kind number", R"({"id":"e","object":1,"type":"t","data":{"object":{}}})", false);
        row("no data object", R"({"id":"e","type":"t","data":{"object":[]}})", false);
        row("empty id", R"({"id":"","type":"t","data":{"object":{}}})", false);
        row("long id",
            "{\"id\":\"" + QByteArray(256, 'x') + "\",\"type\":\"t\",\"data\":{\"object\":{}}}",
            false);
        row("trailing comma", R"({"id":"e","type":"t","data":{"object":{}},})", false);
        row("trailing garbage", R"({"id":"e","type":"t","data":{"object":{}}} x)", false);
        row("leading zero", R"({"id":"e","type":"t","n":01,"data":{"object":{}}})", false);
        row("bare word", R"({"id":"e","type":"t","n":tru,"data":{"object":{}}})", false);
        row("control character",
            "{\"id\":\"e\",\"type\":\"t\",\"x\":\"a\tb\",\"data\":{\"object\":{}}}",
            false);
        row("bad escape", R"({"id":"e","type":"t","x":"\q","data":{"object":{}}})", false);
        row("bad UTF-8",
            "{\"id\":\"e\",\"type\":\"t\",\"x\":\"\xc3\x28\",\"data\":{\"object\":{}}}",
            false);
        row("overlong UTF-8",
            "{\"id\":\"e\",\"type\":\"t\",\"x\":\"\xc0\xaf\",\"data\":{\"object\":{}}}",
            false);
        row("huge integer",
            R"({"id":"e","type":"t","created":17009999999999999999999,"data":{"object":{}}})",
            false);
        row("unterminated", R"({"id":"e","type":"t","data":{"object":{})", false);
        row("array", R"([{"id":"e"}])", false);
        row("empty", "", false);
        row("deep",
            "{\"id\":\"e\",\"type\":\"t\",\"x\":" + QByteArray(100, '[') + QByteArray(100, ']')
                    + ",\"data\":{\"object\":{}}}",
            false);
    }

    // The scanner skips plain string content a word (8 bytes) at a time: a byte that matters at
    // any offset of a string, in a value kept (id) or not (x), must be seen all the same.
    void envelopeScanSeesEveryByteOfAString()
    {
        const QList<QByteArray> specials
                = {"\\n", "\\\"", "\\u00e9", "\xc3\xa9", "\x01", "\x7f", "\xc3\x28", "\"", "\\q"};
        for (int offset = 0; offset < 20; ++offset) {
            for (const QByteArray &special : specials) {
                const QByteArray text = QByteArray(offset, 'a') + special + QByteArray(9, 'b');
                for (const bool inId : {false, true}) {
                    const QByteArray id = inId ? text : "evt_1";
                    const QByteArray x = inId ? "plain" : text;
                    const QByteArray body = "{\"id\":\"" + id + "\",\"type\":\"t\",\"x\":\"" + x
                                            + "\",\"data\":{\"object\":{}}}";
                    const QByteArray label = QByteArray::number(offset) + " " + special.toHex()
                                             + (inId ? " id" : " x");
                    const std::optional<StripeEvent> full = parseStripeEvent(body);
                    const std::optional<StripeEnvelope> scan = scanStripeEnvelope(body);
                    if (scan) {
                        QVERIFY2(full, label.constData());
                        QCOMPARE(scan->id, full->id);
                        QCOMPARE(scan->type, full->type);
                    }
                    const std::optional<StripeEnvelope> envelope = parseStripeEnvelope(body);
                    QVERIFY2(envelope.has_value() == full.has_value(), label.constData());
                    if (full)
                        QCOMPARE(envelope->id, full->id);
                }
            }
        }
        // A raw control character is never valid JSON, wherever it is.
        QVERIFY(!scanStripeEnvelope("{\"id\":\"" + QByteArray(13, 'a')
                                    + "\x01\",\"type\":\"t\","
                                      "\"data\":{\"object\":{}}}"));
    }

    void envelopeScanAgreesWithFullParse()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, scanned);

        StripeEventError fullError{};
        const std::optional<StripeEvent> full = parseStripeEvent(body, &fullError);
        const std::optional<StripeEnvelope> scan = scanStripeEnvelope(body);
        QCOMPARE(scan.has_value(), scanned);
        if (scan) {
            QVERIFY(full);
            const StripeEnvelope expected = StripeEnvelope::of(*full);
            QCOMPARE(scan->id, expected.id);
            QCOMPARE(scan->type, expected.type);
            QCOMPARE(scan->created, expected.created);
            QCOMPARE(scan->livemode, expected.livemode);
            QCOMPARE(scan->orderingKey, expected.orderingKey);
        }

        StripeEventError error{};
        const std::optional<StripeEnvelope> envelope = parseStripeEnvelope(body, &error);
        QCOMPARE(envelope.has_value(), full.has_value());
        if (!full) {
            QCOMPARE(int(error), int(fullError));
            return;
        }
        const StripeEnvelope expected = StripeEnvelope::of(*full);
        QCOMPARE(envelope->id, expected.id);
        QCOMPARE(envelope->orderingKey, expected.orderingKey);
        QCOMPARE(envelope->created, expected.created);
        QCOMPARE(envelope->livemode, expected.livemode);
    }
};

QTEST_GUILESS_MAIN(TestStripeSignature)
#include "tst_stripesignature.moc"
