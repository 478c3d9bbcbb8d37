// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/jpegmodel.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace Mouse {

namespace {

// ITU-T T.81 Annex K, table K.1, in natural (row-major) order.
constexpr int StdLuminance[64]
        = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
           14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
           18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
           49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};

constexpr double C1 = (0.01 * 255) * (0.01 * 255);
constexpr double C2 = (0.03 * 255) * (0.03 * 255);

// Orthonormal DCT-II basis: basis[u][x] = a(u) cos((2x + 1) u pi / 16).
const std::array<std::array<float, 8>, 8> &basis()
{
    static const auto table = [] {
        std::array<std::array<float, 8>, 8> b{};
        for (int u = 0; u < 8; ++u)
            for (int x = 0; x < 8; ++x)
                b[u][x] = float((u == 0 ? std::sqrt(1.0 / 8) : 0.5)
                                * std::cos((2 * x + 1) * u * M_PI / 16));
        return b;
    }();
    return table;
}

double blockSsim(double meanA, double meanB, double varA, double varB, double cov)
{
    return ((2 * meanA * meanB + C1) * (2 * cov + C2))
           / ((meanA * meanA + meanB * meanB + C1) * (varA + varB + C2));
}

} // namespace

void JpegModel::luminanceTable(int quality, int table[64])
{
    quality = std::clamp(quality, 1, 100);
    const int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
    for (int i = 0; i < 64; ++i)
        table[i] = std::clamp((StdLuminance[i] * scale + 50) / 100, 1, 255);
}

JpegModel::JpegModel(const quint8 *luma, int width, int height)
{
    const auto &b = basis();
    float block[8][8], tmp[8][8];
    for (int by = 0; by + 8 <= height; by += 8) {
        for (int bx = 0; bx + 8 <= width; bx += 8) {
            const quint8 first = luma[size_t(by) * width + bx];
            bool flat = true;
            for (int y = 0; y < 8; ++y) {
                const quint8 *row = luma + size_t(by + y) * width + bx;
                for (int x = 0; x < 8; ++x) {
                    block[y][x] = float(row[x]) - 128.0f; // JPEG's level shift
                    flat = flat && row[x] == first;
                }
            }
            if (flat) {
                m_flatDc.push_back((float(first) - 128.0f) * 8.0f);
                ++m_flatCount;
                continue;
            }
            // tmp = B * basis^T (rows), then F = basis * tmp (columns).
            for (int y = 0; y < 8; ++y)
                for (int u = 0; u < 8; ++u) {
                    float s = 0;
                    for (int x = 0; x < 8; ++x)
                        s += block[y][x] * b[u][x];
                    tmp[y][u] = s;
                }
            for (int v = 0; v < 8; ++v)
                for (int u = 0; u < 8; ++u) {
                    float s = 0;
                    for (int y = 0; y < 8; ++y)
                        s += b[v][y] * tmp[y][u];
                    m_textured.push_back(s);
                }
        }
    }
}

double JpegModel::estimateSsim(int quality) const
{
    int table[64];
    luminanceTable(quality, table);
    float step[64], inverse[64];
    for (int i = 0; i < 64; ++i) {
        step[i] = float(table[i]);
        inverse[i] = 1.0f / step[i];
    }

    double total = 0;
    for (const float dc : m_flatDc) {
        const double rec = std::nearbyint(dc * inverse[0]) * step[0];
        total += blockSsim(dc / 8 + 128, rec / 8 + 128, 0, 0, 0);
    }
    const size_t count = m_textured.size() / 64;
    for (size_t n = 0; n < count; ++n) {
        const float *f = m_textured.data() + n * 64;
        float aa = 0, bb = 0, ab = 0;
        for (int i = 1; i < 64; ++i) {
            const float r = std::nearbyint(f[i] * inverse[i]) * step[i];
            aa += f[i] * f[i];
            bb += r * r;
            ab += f[i] * r;
        }
        const double dc = std::nearbyint(f[0] * inverse[0]) * step[0];
        total += blockSsim(f[0] / 8.0 + 128, dc / 8 + 128, aa / 64.0, bb / 64.0, ab / 64.0);
    }
    const int all = blocks();
    return all ? total / all : 1.0;
}

} // namespace Mouse
