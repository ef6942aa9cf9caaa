// Input: SDL events as Swift values. `Window.pollEvents()` drains SDL's queue into `InputEvent`s,
// and `Window.push(_:)` (plus the pushMouse…/pushKey/pushWheel helpers) injects synthetic events
// with SDL_PushEvent, so tests and replays can drive the game. Coordinates are drawable pixels,
// origin top-left (window points × `pixelScale`), the same space as Canvas2D and Camera picking.

import CSDL2
import Foundation

// MARK: - Types

public enum MouseButton: Int, Sendable, Equatable {
    case left = 1, middle = 2, right = 3, x1 = 4, x2 = 5
}

/// Buttons held during a motion; bit values match SDL_BUTTON_LMASK etc.
public struct MouseButtons: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let left = MouseButtons(rawValue: 1 << 0)
    public static let middle = MouseButtons(rawValue: 1 << 1)
    public static let right = MouseButtons(rawValue: 1 << 2)
    public static let x1 = MouseButtons(rawValue: 1 << 3)
    public static let x2 = MouseButtons(rawValue: 1 << 4)
}

/// SDL key codes (SDL_Keycode) for the keys the game uses; letters and digits are their ASCII
/// lowercase values (`KeyCode.letter("a")`).
public enum KeyCode {
    public static let escape = Int32(truncatingIfNeeded: SDLK_ESCAPE.rawValue)
    public static let enter = Int32(truncatingIfNeeded: SDLK_RETURN.rawValue)
    public static let space = Int32(truncatingIfNeeded: SDLK_SPACE.rawValue)
    public static let tab = Int32(truncatingIfNeeded: SDLK_TAB.rawValue)
    public static let backspace = Int32(truncatingIfNeeded: SDLK_BACKSPACE.rawValue)
    public static let delete = Int32(truncatingIfNeeded: SDLK_DELETE.rawValue)
    public static let up = Int32(truncatingIfNeeded: SDLK_UP.rawValue)
    public static let down = Int32(truncatingIfNeeded: SDLK_DOWN.rawValue)
    public static let left = Int32(truncatingIfNeeded: SDLK_LEFT.rawValue)
    public static let right = Int32(truncatingIfNeeded: SDLK_RIGHT.rawValue)
    public static let plus = Int32(truncatingIfNeeded: SDLK_PLUS.rawValue)
    public static let minus = Int32(truncatingIfNeeded: SDLK_MINUS.rawValue)
    public static let equals = Int32(truncatingIfNeeded: SDLK_EQUALS.rawValue)
    public static let f1 = Int32(truncatingIfNeeded: SDLK_F1.rawValue)
    public static let f12 = Int32(truncatingIfNeeded: SDLK_F12.rawValue)
    /// The code of a letter or digit key ("a"…"z", "0"…"9").
    public static func letter(_ c: Character) -> Int32 {
        Int32(c.lowercased().unicodeScalars.first?.value ?? 0)
    }
}

public enum InputEvent: Equatable, Sendable {
    case mouseDown(x: Int, y: Int, button: MouseButton)
    case mouseUp(x: Int, y: Int, button: MouseButton)
    case mouseMove(x: Int, y: Int, buttons: MouseButtons)
    /// Wheel movement; positive is away from the user (scroll up), whatever the platform's flip.
    case wheel(dy: Float)
    /// A key press or release; `code` is an SDL_Keycode (see `KeyCode`). Auto-repeats are dropped.
    case key(code: Int32, down: Bool, ctrl: Bool, shift: Bool)
    /// Typed text (SDL's text input: a character, or what an input method composed), UTF-8.
    case text(String)
    /// The window's drawable changed size (pixels).
    case resize(width: Int, height: Int)
    /// The pointer left the window (SDL_WINDOWEVENT_LEAVE); a motion inside brings it back.
    case pointerLeft
    /// The user closed the window (or the process got SIGINT/SIGTERM).
    case quit
}

extension Window {
    // MARK: - Polling

    /// Drains SDL's event queue and returns the events the game cares about, in order.
    public func pollEvents() -> [InputEvent] {
        var result: [InputEvent] = []
        var e = SDL_Event()
        let scale = pixelScale
        func px(_ v: Int32) -> Int { Int((Float(v) * scale).rounded()) }
        while SDL_PollEvent(&e) != 0 {
            switch SDL_EventType(e.type) {
            case SDL_MOUSEBUTTONDOWN, SDL_MOUSEBUTTONUP:
                guard let button = MouseButton(rawValue: Int(e.button.button)) else { continue }
                let x = px(e.button.x), y = px(e.button.y)
                result.append(e.type == SDL_MOUSEBUTTONDOWN.rawValue
                              ? .mouseDown(x: x, y: y, button: button) : .mouseUp(x: x, y: y, button: button))
            case SDL_MOUSEMOTION:
                result.append(.mouseMove(x: px(e.motion.x), y: px(e.motion.y),
                                         buttons: MouseButtons(rawValue: e.motion.state)))
            case SDL_MOUSEWHEEL:
                var dy = e.wheel.preciseY
                if dy == 0 { dy = Float(e.wheel.y) }
                if e.wheel.direction == SDL_MOUSEWHEEL_FLIPPED.rawValue { dy = -dy }
                if dy != 0 { result.append(.wheel(dy: dy)) }
            case SDL_KEYDOWN, SDL_KEYUP:
                if e.key.repeat != 0 { continue }
                let mod = UInt32(e.key.keysym.mod)
                result.append(.key(code: e.key.keysym.sym, down: e.type == SDL_KEYDOWN.rawValue,
                                   ctrl: mod & KMOD_CTRL.rawValue != 0, shift: mod & KMOD_SHIFT.rawValue != 0))
            case SDL_TEXTINPUT:
                let typed = withUnsafeBytes(of: e.text.text) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if !typed.isEmpty { result.append(.text(typed)) }
            case SDL_WINDOWEVENT:
                switch SDL_WindowEventID(UInt32(e.window.event)) {
                case SDL_WINDOWEVENT_SIZE_CHANGED:
                    let d = drawableSize
                    result.append(.resize(width: d.width, height: d.height))
                case SDL_WINDOWEVENT_CLOSE:
                    result.append(.quit)
                case SDL_WINDOWEVENT_LEAVE:
                    result.append(.pointerLeft)
                default:
                    break
                }
            case SDL_QUIT:
                result.append(.quit)
            default:
                break
            }
        }
        return result
    }

    // MARK: - Injection

    /// Pushes `event` onto SDL's queue as the matching SDL event (for this window); returns
    /// false if SDL refused it (queue full or filtered). Positions are drawable pixels.
    @discardableResult
    public func push(_ event: InputEvent) -> Bool {
        var e = SDL_Event()
        let scale = pixelScale > 0 ? pixelScale : 1
        func pt(_ v: Int) -> Int32 { Int32((Float(v) / scale).rounded()) }
        let windowID = id
        switch event {
        case .mouseDown(let x, let y, let button), .mouseUp(let x, let y, let button):
            let down: Bool
            if case .mouseDown = event { down = true } else { down = false }
            e.type = (down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP).rawValue
            e.button.windowID = windowID
            e.button.which = 0
            e.button.button = UInt8(button.rawValue)
            e.button.state = UInt8(down ? SDL_PRESSED : SDL_RELEASED)
            e.button.clicks = 1
            e.button.x = pt(x)
            e.button.y = pt(y)
        case .mouseMove(let x, let y, let buttons):
            e.type = SDL_MOUSEMOTION.rawValue
            e.motion.windowID = windowID
            e.motion.state = buttons.rawValue
            e.motion.x = pt(x)
            e.motion.y = pt(y)
        case .wheel(let dy):
            e.type = SDL_MOUSEWHEEL.rawValue
            e.wheel.windowID = windowID
            e.wheel.y = Int32(dy.rounded())
            e.wheel.preciseY = dy
            e.wheel.direction = SDL_MOUSEWHEEL_NORMAL.rawValue
        case .key(let code, let down, let ctrl, let shift):
            e.type = (down ? SDL_KEYDOWN : SDL_KEYUP).rawValue
            e.key.windowID = windowID
            e.key.state = UInt8(down ? SDL_PRESSED : SDL_RELEASED)
            e.key.repeat = 0
            e.key.keysym.sym = code
            e.key.keysym.scancode = SDL_GetScancodeFromKey(code)
            var mod: UInt32 = 0
            if ctrl { mod |= KMOD_LCTRL.rawValue }
            if shift { mod |= KMOD_LSHIFT.rawValue }
            e.key.keysym.mod = UInt16(mod)
        case .resize(let width, let height):
            e.type = SDL_WINDOWEVENT.rawValue
            e.window.windowID = windowID
            e.window.event = UInt8(SDL_WINDOWEVENT_SIZE_CHANGED.rawValue)
            e.window.data1 = pt(width)
            e.window.data2 = pt(height)
        case .text(let typed):
            // SDL's text event holds at most 31 bytes and a terminating zero.
            e.type = SDL_TEXTINPUT.rawValue
            e.text.windowID = windowID
            var bytes = Array(typed.utf8.prefix(31))
            bytes.append(0)
            withUnsafeMutableBytes(of: &e.text.text) { raw in
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
        case .pointerLeft:
            e.type = SDL_WINDOWEVENT.rawValue
            e.window.windowID = windowID
            e.window.event = UInt8(SDL_WINDOWEVENT_LEAVE.rawValue)
        case .quit:
            e.type = SDL_QUIT.rawValue
        }
        return SDL_PushEvent(&e) == 1
    }

    @discardableResult
    public func pushMouseButton(down: Bool, x: Int, y: Int, button: MouseButton = .left) -> Bool {
        push(down ? .mouseDown(x: x, y: y, button: button) : .mouseUp(x: x, y: y, button: button))
    }

    @discardableResult
    public func pushMouseMotion(x: Int, y: Int, buttons: MouseButtons = []) -> Bool {
        push(.mouseMove(x: x, y: y, buttons: buttons))
    }

    @discardableResult
    public func pushKey(code: Int32, down: Bool, ctrl: Bool = false, shift: Bool = false) -> Bool {
        push(.key(code: code, down: down, ctrl: ctrl, shift: shift))
    }

    @discardableResult
    public func pushWheel(dy: Float) -> Bool { push(.wheel(dy: dy)) }

    /// Pushes a full click: button down then up at the same place.
    public func pushClick(x: Int, y: Int, button: MouseButton = .left) {
        pushMouseButton(down: true, x: x, y: y, button: button)
        pushMouseButton(down: false, x: x, y: y, button: button)
    }
}
