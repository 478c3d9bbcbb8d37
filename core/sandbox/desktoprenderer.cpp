// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/sandbox/desktoprenderer.h"

#include "core/sandbox/bitmapfont.h"
#include "core/sandbox/pngencoder.h"

#include <QDateTime>
#include <QLinearGradient>
#include <QPainter>
#include <QRadialGradient>

#include <array>
#include <optional>
#include <random>

namespace Mouse {

namespace {

// Shapes go through QPainter, text straight into the pixels; the painter is ended before
// text is drawn so the two never touch the image at once, and layers keep their order.
class Canvas final
{
public:
    Canvas()
        : m_image(DesktopRenderer::Width, DesktopRenderer::Height, QImage::Format_RGB32)
    {}

    QPainter &painter()
    {
        if (!m_painter) {
            m_painter.emplace(&m_image);
            m_painter->setRenderHint(QPainter::Antialiasing);
            m_painter->setPen(Qt::NoPen);
        }
        return *m_painter;
    }

    int text(int x, int y, const QByteArray &text, QColor color, int scale = 1, int maxWidth = -1)
    {
        m_painter.reset();
        QByteArray shown = text;
        if (maxWidth >= 0) {
            const int fit = maxWidth / (BitmapFont::CellWidth * scale);
            if (shown.size() > fit)
                shown.truncate(std::max(0, fit));
        }
        return BitmapFont::draw(m_image, x, y, shown, color.rgb(), scale);
    }

    QImage finish()
    {
        m_painter.reset();
        return m_image;
    }

private:
    QImage m_image;
    std::optional<QPainter> m_painter;
};

struct Palette
{
    QColor top;
    QColor bottom;
    QColor accent;
};

const std::array<Palette, 5> Palettes = {{
        {QColor(24, 44, 92), QColor(88, 40, 110), QColor(255, 170, 60)},
        {QColor(12, 70, 84), QColor(20, 120, 110), QColor(250, 220, 90)},
        {QColor(60, 24, 40), QColor(150, 60, 60), QColor(120, 200, 255)},
        {QColor(30, 30, 36), QColor(70, 80, 100), QColor(110, 230, 140)},
        {QColor(16, 56, 40), QColor(90, 130, 60), QColor(255, 130, 170)},
}};

const std::array<const char *, 6> Hosts = {"docs.internal.example",
                                           "crm.example.com",
                                           "mail.example.com",
                                           "dashboard.example.net",
                                           "wiki.example.org",
                                           "tickets.example.com"};
const std::array<const char *, 6> Pages = {"Quarterly report",
                                           "Customer accounts",
                                           "Inbox (12)",
                                           "Fleet overview",
                                           "Onboarding guide",
                                           "Open tickets"};
const std::array<const char *, 8> Jobs
        = {"sync", "ingest", "render", "backup", "index", "export", "crawl", "billing"};
const std::array<const char *, 6> Files
        = {"report.py", "main.cpp", "notes.md", "deploy.sh", "query.sql", "app.js"};
const std::array<const char *, 14> CodeLines = {"def summarize(rows):",
                                                "    total = 0",
                                                "    for row in rows:",
                                                "        total += row.amount",
                                                "    return total / max(len(rows), 1)",
                                                "",
                                                "class Report:",
                                                "    def __init__(self, name):",
                                                "        self.name = name",
                                                "        self.items = []",
                                                "",
                                                "    def add(self, item):",
                                                "        self.items.append(item)",
                                                "# totals are cached per run"};

QByteArray clockText(qint64 second)
{
    return QDateTime::fromSecsSinceEpoch(second, Qt::UTC)
            .toString(QStringLiteral("HH:mm:ss"))
            .toLatin1();
}

void drawWallpaper(Canvas &canvas, const Palette &palette, quint32 look)
{
    QPainter &p = canvas.painter();
    QLinearGradient gradient(0, 0, DesktopRenderer::Width, DesktopRenderer::Height);
    gradient.setColorAt(0, palette.top);
    gradient.setColorAt(1, palette.bottom);
    p.fillRect(0, 0, DesktopRenderer::Width, DesktopRenderer::Height, gradient);

    // A few soft discs, placed by the computer's look.
    std::minstd_rand random(look);
    p.setPen(Qt::NoPen);
    for (int i = 0; i < 4; ++i) {
        const QPointF centre(random() % DesktopRenderer::Width, random() % 600);
        const double radius = 120 + random() % 220;
        QRadialGradient glow(centre, radius);
        QColor inner = palette.accent;
        inner.setAlpha(50);
        glow.setColorAt(0, inner);
        glow.setColorAt(1, QColor(0, 0, 0, 0));
        p.setBrush(glow);
        p.drawEllipse(centre, radius, radius);
    }
}

void drawDesktopIcons(Canvas &canvas, const Palette &palette)
{
    static const std::array<const char *, 4> Labels = {"Home", "Files", "Browser", "Trash"};
    for (int i = 0; i < int(Labels.size()); ++i) {
        const int y = 24 + i * 86;
        QPainter &p = canvas.painter();
        p.setPen(Qt::NoPen);
        p.setBrush(i == 3 ? QColor(180, 190, 200) : palette.accent.lighter(110 + i * 10));
        p.drawRoundedRect(QRectF(30, y, 44, 40), 6, 6);
        const QByteArray label = Labels[i];
        canvas.text(52 - BitmapFont::width(label) / 2, y + 48, label, Qt::white);
    }
}

// A window frame with its title bar; returns the content rectangle.
QRect drawWindow(
        Canvas &canvas, const QRect &frame, const QByteArray &title, bool focused, QColor body)
{
    QPainter &p = canvas.painter();
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0, 0, 0, 70)); // shadow
    p.drawRoundedRect(QRectF(frame.translated(4, 6)), 8, 8);
    p.setBrush(focused ? QColor(236, 238, 242) : QColor(205, 208, 214));
    p.drawRoundedRect(QRectF(frame), 8, 8);
    const QRect content(frame.left() + 1, frame.top() + 30, frame.width() - 2, frame.height() - 31);
    p.fillRect(content, body);
    const std::array<QColor, 3> dots
            = {QColor(255, 95, 86), QColor(255, 189, 46), QColor(39, 201, 63)};
    for (int i = 0; i < 3; ++i) {
        p.setBrush(focused ? dots[i] : QColor(170, 170, 175));
        p.drawEllipse(QPointF(frame.left() + 18 + i * 20, frame.top() + 15), 6, 6);
    }
    const int titleX = frame.left() + frame.width() / 2 - BitmapFont::width(title, 2) / 2;
    canvas.text(std::max(titleX, frame.left() + 80),
                frame.top() + 8,
                title,
                QColor(50, 52, 60),
                2,
                frame.width() - 100);
    return content;
}

void drawTerminal(
        Canvas &canvas, const QRect &frame, const DesktopScene &scene, qint64 second, bool focused)
{
    const QByteArray user = scene.computerName.section(u'-', 1, 1).toLatin1();
    const QByteArray host = scene.computerName.toLatin1();
    const QRect area
            = drawWindow(canvas, frame, user + "@" + host + ": ~", focused, QColor(20, 22, 28));
    const int lineHeight = BitmapFont::height(2) + 4;
    const int rows = (area.height() - 16) / lineHeight;

    // A log tail: line k belongs to second (now - rows + k), so it scrolls once a second.
    for (int row = 0; row < rows - 1; ++row) {
        const qint64 lineSecond = second - (rows - 1) + row;
        std::minstd_rand random(quint32(scene.look ^ quint32(lineSecond * 2654435761u)));
        const char *job = Jobs[random() % Jobs.size()];
        const bool warning = random() % 9 == 0;
        const QByteArray line = "[" + clockText(lineSecond) + "] " + job + ": "
                                + (warning ? "retrying batch " : "processed batch ")
                                + QByteArray::number(int(random() % 9000 + 1000)) + " in "
                                + QByteArray::number(int(random() % 400 + 5)) + " ms";
        canvas.text(area.left() + 10,
                    area.top() + 8 + row * lineHeight,
                    line,
                    warning ? QColor(250, 200, 80) : QColor(160, 230, 160),
                    2,
                    area.width() - 20);
    }
    const QByteArray prompt = user + "@" + host + ":~$ " + (second % 2 ? "_" : "");
    canvas.text(area.left() + 10,
                area.top() + 8 + (rows - 1) * lineHeight,
                prompt,
                QColor(230, 230, 230),
                2,
                area.width() - 20);
}

void drawBrowser(Canvas &canvas,
                 const QRect &frame,
                 const DesktopScene &scene,
                 qint64 second,
                 bool focused,
                 const Palette &palette)
{
    // The page changes every 20 seconds, differently on every computer.
    const quint32 page = (scene.look >> 3) + quint32(second / 20);
    const char *hostName = Hosts[page % Hosts.size()];
    const QByteArray title = Pages[page % Pages.size()];
    const QRect area = drawWindow(canvas, frame, title + " - Browser", focused, Qt::white);

    QPainter &p = canvas.painter();
    const QRect bar(area.left() + 10, area.top() + 8, area.width() - 20, 26);
    p.setPen(QColor(200, 204, 210));
    p.setBrush(QColor(244, 245, 247));
    p.drawRoundedRect(QRectF(bar), 12, 12);
    canvas.text(bar.left() + 14,
                bar.top() + 9,
                QByteArray("https://") + hostName + "/" + QByteArray::number(page % 97),
                QColor(70, 80, 95),
                1,
                bar.width() - 28);

    // Loading progress, then the page: a heading, paragraphs and a few cards.
    const int progress = int(second % 20);
    QPainter &q = canvas.painter();
    q.fillRect(QRect(area.left(), bar.bottom() + 6, area.width() * std::min(progress, 4) / 4, 3),
               palette.accent);
    canvas.text(
            area.left() + 20, bar.bottom() + 22, title, QColor(30, 34, 44), 3, area.width() - 40);
    std::minstd_rand random(page);
    QPainter &r = canvas.painter();
    r.setPen(Qt::NoPen);
    for (int i = 0; i < 6; ++i) {
        const int width = int(area.width() - 40 - random() % 160);
        r.setBrush(QColor(214, 218, 226));
        r.drawRoundedRect(QRectF(area.left() + 20, bar.bottom() + 60 + i * 18, width, 8), 4, 4);
    }
    const int cardTop = bar.bottom() + 180;
    const int cardWidth = (area.width() - 60) / 3;
    for (int i = 0; i < 3 && cardTop + 60 < area.bottom(); ++i) {
        const QRect card(area.left() + 20 + i * (cardWidth + 10),
                         cardTop,
                         cardWidth,
                         std::min(90, area.bottom() - cardTop - 10));
        QPainter &c = canvas.painter();
        c.setBrush(palette.accent.lighter(150 + i * 15));
        c.drawRoundedRect(QRectF(card), 6, 6);
        canvas.text(card.left() + 10,
                    card.top() + 10,
                    QByteArray::number(int(random() % 900 + 100)),
                    QColor(40, 40, 50),
                    3);
    }
}

void drawEditor(
        Canvas &canvas, const QRect &frame, const DesktopScene &scene, qint64 second, bool focused)
{
    const QByteArray file = Files[(scene.look >> 7) % Files.size()];
    const QRect area = drawWindow(canvas, frame, file + " - Editor", focused, QColor(40, 42, 54));
    QPainter &p = canvas.painter();
    p.fillRect(QRect(area.left(), area.top(), 44, area.height()), QColor(33, 34, 44));

    const int lineHeight = BitmapFont::height(2) + 6;
    const int rows = (area.height() - 12) / lineHeight;
    const int offset = int((scene.look >> 11) % CodeLines.size());
    const int cursorRow = int(second % std::max(rows, 1));
    for (int row = 0; row < rows; ++row) {
        const int y = area.top() + 8 + row * lineHeight;
        canvas.text(area.left() + 6,
                    y,
                    QByteArray::number(row + 1).rightJustified(3, ' '),
                    QColor(98, 114, 164),
                    2);
        QByteArray code = CodeLines[(offset + row) % CodeLines.size()];
        // The line under the cursor is being typed: it grows with the seconds.
        if (row == cursorRow)
            code.truncate(int(second % (code.size() + 1)));
        const QColor colour = code.startsWith('#') ? QColor(98, 114, 164)
                              : code.trimmed().startsWith("def") || code.startsWith("class")
                                      ? QColor(255, 121, 198)
                                      : QColor(248, 248, 242);
        const int end = canvas.text(area.left() + 54, y, code, colour, 2, area.width() - 64);
        if (row == cursorRow && focused) {
            QPainter &c = canvas.painter();
            c.fillRect(QRect(end + 1, y - 1, 3, BitmapFont::height(2)), QColor(248, 248, 242));
        }
    }
}

void drawTaskbar(Canvas &canvas,
                 const DesktopScene &scene,
                 qint64 second,
                 const Palette &palette,
                 int focusedWindow)
{
    const int top = DesktopRenderer::Height - 44;
    QPainter &p = canvas.painter();
    p.fillRect(QRect(0, top, DesktopRenderer::Width, 44), QColor(18, 20, 26, 235));
    p.setPen(Qt::NoPen);
    p.setBrush(palette.accent);
    p.drawRoundedRect(QRectF(10, top + 8, 28, 28), 6, 6);

    static const std::array<QColor, 3> Apps
            = {QColor(60, 60, 70), QColor(66, 133, 244), QColor(120, 90, 200)};
    for (int i = 0; i < 3; ++i) {
        QPainter &a = canvas.painter();
        a.setBrush(Apps[i]);
        a.drawRoundedRect(QRectF(56 + i * 44, top + 8, 32, 28), 5, 5);
        if (i == focusedWindow)
            a.fillRect(QRect(62 + i * 44, top + 39, 20, 3), palette.accent);
    }
    canvas.text(200,
                top + 15,
                scene.computerName.toLatin1() + "  (" + scene.instanceId.toLatin1() + ")",
                QColor(200, 204, 212),
                2);

    const QDateTime time = QDateTime::fromSecsSinceEpoch(second, Qt::UTC);
    const QByteArray clock = clockText(second);
    const QByteArray date = time.toString(QStringLiteral("ddd yyyy-MM-dd")).toLatin1();
    const int clockX = DesktopRenderer::Width - 16 - BitmapFont::width(clock, 2);
    canvas.text(clockX, top + 6, clock, Qt::white, 2);
    canvas.text(DesktopRenderer::Width - 16 - BitmapFont::width(date),
                top + 28,
                date,
                QColor(180, 184, 192));
}

} // namespace

QImage DesktopRenderer::render(const DesktopScene &scene, qint64 unixSecond)
{
    Canvas canvas;
    const Palette &palette = Palettes[scene.look % Palettes.size()];
    drawWallpaper(canvas, palette, scene.look);
    drawDesktopIcons(canvas, palette);

    // Window positions follow the computer; the focused window changes every 15 seconds.
    const int dx = int(scene.look % 40);
    const int dy = int((scene.look >> 5) % 30);
    const int focused = int((quint64(unixSecond / 15) + scene.look) % 3);
    const std::array<QRect, 3> frames = {QRect(120 + dx, 40 + dy, 620, 360),
                                         QRect(560 - dx, 70 + dy, 690, 520),
                                         QRect(200 + dx, 330 - dy, 600, 330)};
    // Draw the focused window last so it sits on top.
    for (int pass = 0; pass < 3; ++pass) {
        const int window = (focused + 1 + pass) % 3;
        const bool isFocused = window == focused;
        if (window == 0)
            drawTerminal(canvas, frames[0], scene, unixSecond, isFocused);
        else if (window == 1)
            drawBrowser(canvas, frames[1], scene, unixSecond, isFocused, palette);
        else
            drawEditor(canvas, frames[2], scene, unixSecond, isFocused);
    }
    drawTaskbar(canvas, scene, unixSecond, palette, focused);
    return canvas.finish();
}

QByteArray DesktopRenderer::renderPng(const DesktopScene &scene, qint64 unixSecond)
{
    return PngEncoder::encode(render(scene, unixSecond));
}

} // namespace Mouse
