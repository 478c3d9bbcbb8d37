// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QImage>

namespace Mouse {

// A small built-in 5x7 bitmap font, drawn straight into a QImage's pixels.
//
// Why not QFont: the sandbox renders under QCoreApplication (--server, --sandbox), where
// QPainter cannot draw text (no font database without a QGuiApplication). Printable ASCII
// only; anything else draws as '?'. Each glyph cell is 6x8 units (one column and one row of
// spacing), scaled by an integer factor.
class BitmapFont final
{
public:
    static constexpr int GlyphWidth = 5;
    static constexpr int GlyphHeight = 7;
    static constexpr int CellWidth = 6;
    static constexpr int CellHeight = 8;

    // Draws text with its top-left corner at (x, y), clipped to the image (RGB32 or ARGB32).
    // Returns the x after the last character.
    static int draw(QImage &image, int x, int y, QByteArrayView text, QRgb color, int scale = 1);

    static int width(QByteArrayView text, int scale = 1)
    {
        return int(text.size()) * CellWidth * scale;
    }
    static int height(int scale = 1) { return CellHeight * scale; }

    // The 7 rows of a glyph, bit 4 being the leftmost column.
    static const quint8 *glyph(char c);
};

} // namespace Mouse
