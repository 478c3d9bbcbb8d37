// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <vector>

namespace Mouse {

// Predicts the luma SSIM a baseline JPEG encode at a given quality will have, without
// encoding: JPEG reconstructs each 8x8 luma block from its own quantised DCT coefficients,
// and the DCT is orthonormal, so the mean, variance and covariance of the original and the
// decoded block (hence SSIM over block-aligned 8x8 windows) follow from the coefficients
// and the libjpeg quantisation table of that quality. One DCT per block, then each quality
// costs a pass of multiply-rounds. Rounding and clamping of the decoder are not modelled; the
// service keeps a safety margin (see docs/screenshots.md) and the benchmark checks the result
// against the real decode with sliding windows.
class JpegModel final
{
public:
    // luma: width x height bytes, row-major; partial blocks at the edges are ignored.
    JpegModel(const quint8 *luma, int width, int height);

    double estimateSsim(int quality) const;
    int blocks() const { return m_flatCount + int(m_textured.size() / 64); }

    // libjpeg's jpeg_quality_scaling + force_baseline on the standard luminance table.
    static void luminanceTable(int quality, int table[64]);

private:
    std::vector<float> m_textured; // 64 coefficients per block that is not flat
    std::vector<float> m_flatDc;   // DC of the flat blocks (all 64 pixels equal)
    int m_flatCount = 0;
};

} // namespace Mouse
