// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/screens/jpegcodec.h"

#include <QImage>

#include <functional>
#include <memory>
#include <vector>

namespace Mouse::JpegCodec {

// What libjpeg-turbo's decoder would show of an encode of one picture, without encoding it.
// Of a JPEG encode only the quantisation depends on the quality: the colour conversion, the
// chroma downsampling and the forward DCT are done once per picture here (libjpeg-turbo's
// islow arithmetic, its edge padding), and each quality trial only quantises (libjpeg-turbo's
// reciprocal rounding), dequantises, runs the islow inverse DCT, the fancy upsampling and the
// YCbCr -> RGB conversion with its clamping, then takes the luma as decodeLuma() does. The
// pixels are the real decode's (measured by tst_imagecodec on the corpus and on synthetic
// pictures); the answer is still a real encode, checked on its real decode.
class TrialModel
{
public:
    // Runs two independent halves of the work, on two threads or one after the other.
    using Both = std::function<void(const std::function<void()> &, const std::function<void()> &)>;

    // image: opaque RGB32/ARGB32 (alpha ignored), as encode() takes it. The colour conversion
    // and the luma DCT in two halves of the rows through `both` (none: one after the other).
    explicit TrialModel(const QImage &image, const Both &both = {});

    // The same model made band by band as a picture's rows come (a decoder's): sized for a
    // picture of `size` here, then addRows() for every band of BandRows rows from the top (the
    // last may be shorter), each exactly once, in any order, two at once on two threads.
    static constexpr int BandRows = 8;
    explicit TrialModel(const QSize &size);
    // Rows [from, to) of the picture, opaque RGB32/ARGB32 rows `bytesPerLine` apart from `bits`
    // (from a multiple of BandRows, to too or the height): their colour conversion, and the
    // luma DCT of the block rows they make.
    void addRows(const uchar *bits, qsizetype bytesPerLine, int from, int to);
    ~TrialModel();
    TrialModel(const TrialModel &) = delete;
    TrialModel &operator=(const TrialModel &) = delete;

    // The decoded luma (width * height, row-major) of encode(image, settings); the same
    // arithmetic whatever `both` does. Not reentrant: one trial at a time per model.
    void decodeLuma(const EncodeSettings &settings, std::vector<quint8> *luma, const Both &both);

    // The quantised coefficients of an encode with these settings (libjpeg-turbo's rounding of
    // the model's DCT), kept for encode(); nothing to do when they already are. Makes the
    // chroma mode's DCT if no trial made it; in two halves of the rows through `both`.
    void quantise(const EncodeSettings &settings, const Both &both = {});

    // The bytes of encode(image, settings), written from the coefficients quantise() kept
    // (encodeCoefficients: no new colour conversion, downsampling or DCT); empty when they are
    // not these settings' (no quantise() since the picture, or another quality), or on failure.
    // Reads the model only: encodes may run on two threads at once (not beside a trial).
    QByteArray encode(const EncodeSettings &settings) const;

    // The coefficients quantise() kept, when they are these settings' (else null), for the
    // encodes in parts (encodeCoefficientScans, encodeCoefficientRows); read only, as encode().
    const CoefficientStore *coefficients(const EncodeSettings &settings) const;

    int width() const;
    int height() const;

private:
    struct State;
    struct Quantised;
    static std::unique_ptr<State> &spare(); // the thread's last model's buffers, for reuse
    std::unique_ptr<State> d;
};

// For tests: one block of quantised-to-be coefficients (natural order, as the forward DCT gives
// them) quantised with `table`, dequantised and inverse-transformed into 8x8 samples by the
// vector path a trial uses where the CPU has it (`lanes`) and by the 64-bit scalar one
// (`scalar`); false when there is no vector path here (then `lanes` is not written).
bool reconstructBothWays(const qint16 coefficients[64],
                         const int table[64],
                         quint8 lanes[64],
                         quint8 scalar[64]);

} // namespace Mouse::JpegCodec
