// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>

namespace Mouse {
class Gateway;
}

namespace Mouse::Ui {

// The dashboard's main window over a running Gateway (not owned).
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(Gateway *gateway, QWidget *parent = nullptr);
    ~MainWindow() override;

signals:
    // Emitted once the fleet page has shown its first complete refresh.
    void fleetShown();

private:
    Gateway *m_gateway;
};

} // namespace Mouse::Ui
