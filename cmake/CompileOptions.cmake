# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# One interface target carries the language level, warnings and strict Qt defines for every target.
add_library(mouse_compile_options INTERFACE)
target_compile_features(mouse_compile_options INTERFACE cxx_std_17)
target_compile_options(mouse_compile_options INTERFACE
    -Wall -Wextra -Wpedantic -Woverloaded-virtual -Wnon-virtual-dtor)
target_compile_definitions(mouse_compile_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_CONTEXTLESS_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_DISABLE_DEPRECATED_UP_TO=0x060400)

if(MOUSE_SANITIZE)
    target_compile_options(mouse_compile_options INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(mouse_compile_options INTERFACE -fsanitize=address,undefined)
endif()
