// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/mainwindow.h"

#include "core/gateway.h"

#include <QLabel>
#include <QStatusBar>
#include <QTimer>

namespace Mouse::Ui {

MainWindow::MainWindow(Gateway *gateway, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
{
    setWindowTitle(tr("Mouse Gateway"));
    resize(1280, 800);
    statusBar()->addPermanentWidget(new QLabel(m_gateway->serverUrl().toString(), this));
    QTimer::singleShot(0, this, &MainWindow::fleetShown);
}

MainWindow::~MainWindow() = default;

} // namespace Mouse::Ui
