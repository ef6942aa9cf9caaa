// Settings.swift — the player's settings (their name, for the teacher's grading), where the
// game keeps its files (the XDG base directories), and the one-time prompt for the name.
//
//   $XDG_CONFIG_HOME/netzero/settings.toml   (default ~/.config/netzero/settings.toml)
//       player = "Li Wei"
//   $XDG_DATA_HOME/netzero/autosaves/LEVEL-ID.autosave-N.nzsave   (default ~/.local/share/…)
//   $XDG_DATA_HOME/netzero/levels/*.toml, mods/ID/mod.toml        (the player's levels and mods)
//
// The name is asked once, when the game opens without one; it is written into every replay the
// game records (`player` line), so `netzero grade` can name each student's row. Autosaves are per
// level, so a lesson's never overwrites the sandbox's.
import CitySim
import Foundation
import Render
import TOML

public struct GameSettings: Sendable, Equatable {
    /// The student's name as they typed it (trimmed; empty until entered).
    public var player = ""

    public init(player: String = "") { self.player = player }

    /// The longest name kept, in characters.
    public static let maximumNameLength = 60

    /// `$XDG_CONFIG_HOME/netzero`, or `~/.config/netzero` (UserDirectories, in CitySim).
    public static func configDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        UserDirectories.config(environment: environment)
    }

    /// `$XDG_DATA_HOME/netzero`, or `~/.local/share/netzero`.
    public static func dataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        UserDirectories.data(environment: environment)
    }

    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        configDirectory(environment: environment) + "/settings.toml"
    }

    /// The settings in `path`; a missing or unreadable file gives the defaults (the game still
    /// opens), and a problem is returned to be shown.
    public static func load(from path: String) -> (settings: GameSettings, problem: String?) {
        guard FileSystem.exists(path) else { return (GameSettings(), nil) }
        guard let bytes = FileSystem.read(path), let text = String(validating: bytes, as: UTF8.self) else {
            return (GameSettings(), "\(path): cannot read the settings as UTF-8 text")
        }
        do {
            let table = try TOML.parse(text, file: path)
            var settings = GameSettings()
            if let node = table["player"], case .string(let name) = node.value { settings.player = clean(name) }
            return (settings, nil)
        } catch {
            return (GameSettings(), "\(path): \(error)")
        }
    }

    public var text: String {
        "# NetZero City settings (written by the game).\n# Your name, written into your replays for your teacher.\nplayer = \(GameSettings.quote(player))\n"
    }

    public func save(to path: String) throws {
        try FileSystem.makeDirectory((path as NSString).deletingLastPathComponent)
        try FileSystem.writeAtomically(text, to: path)
    }

    /// A name as it is kept: one line, no control characters, trimmed, at most `maximumNameLength`.
    public static func clean(_ name: String) -> String {
        let kept = String(String.UnicodeScalarView(name.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }))
        return String(kept.trimmingCharacters(in: .whitespaces).prefix(maximumNameLength))
    }

    static func quote(_ text: String) -> String { HeadlessRun.quote(text) }

    /// The autosave file for a level and a slot: the level's id in the name (reduced to letters,
    /// digits, '-' and '_'), so each level keeps its own.
    public static func autosavePath(levelID: String, slot: Int, dataDirectory: String) -> String {
        let safe = String(levelID.unicodeScalars.map { scalar -> Character in
            (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_")) ? Character(scalar) : "_"
        })
        return dataDirectory + "/autosaves/" + (safe.isEmpty ? "level" : safe) + ".autosave-\(slot).nzsave"
    }
}

/// The one-time name prompt: open while the player types their name.
public final class NamePromptState {
    public var isOpen = false
    public var typed = ""
    /// Where the settings are written when the name is confirmed (nil: not written, e.g. in tests).
    public var settingsPath: String?
    public init() {}
}

public enum NamePrompt {
    /// Opens the prompt when the settings have no name yet.
    public static func openIfNeeded(_ session: GameSession, settingsPath: String?) {
        session.namePrompt.settingsPath = settingsPath
        if session.settings.player.isEmpty {
            session.namePrompt.isOpen = true
            session.namePrompt.typed = ""
        }
    }

    /// An event while the prompt is open; true if it took it (all but quitting and resizing).
    static func handle(_ event: InputEvent, session: GameSession, now: Double) -> Bool {
        let prompt = session.namePrompt
        switch event {
        case .quit, .resize: return false
        case .text(let typed):
            prompt.typed = String((prompt.typed + typed).prefix(GameSettings.maximumNameLength))
            return true
        case .key(let code, let down, _, _):
            guard down else { return true }
            if code == KeyCode.backspace, !prompt.typed.isEmpty { prompt.typed.removeLast() }
            if code == KeyCode.escape { prompt.isOpen = false }  // asked again next time the game opens
            if code == KeyCode.enter { confirm(session, now: now) }
            return true
        default:
            return true
        }
    }

    static func confirm(_ session: GameSession, now: Double) {
        let name = GameSettings.clean(session.namePrompt.typed)
        guard !name.isEmpty else { return }
        session.settings.player = name
        session.namePrompt.isOpen = false
        guard let path = session.namePrompt.settingsPath else { return }
        do {
            try session.settings.save(to: path)
        } catch {
            session.notify("\(path): \(error)", now: now)
        }
    }

    static func draw(_ canvas: Canvas2D, session: GameSession, now: Double) {
        let s = session.strings
        let size = canvas.size
        let width: Float = min(560, Float(size.width) - 40), height: Float = 150
        let x = (Float(size.width) - width) / 2, y = (Float(size.height) - height) / 2
        canvas.fillRect(x: 0, y: 0, width: Float(size.width), height: Float(size.height), color: Vec4(0, 0, 0, 0.45))
        canvas.fillRect(x: x, y: y, width: width, height: height, color: Vec4(0.05, 0.06, 0.09, 0.97))
        canvas.strokeRect(x: x, y: y, width: width, height: height, color: Vec4(0.4, 0.44, 0.55, 1))
        _ = canvas.drawText(s["settings.name_title"], x: x + 20, y: y + 14, size: 20, color: HUD.accent)
        _ = canvas.drawText(s["settings.name_why"], x: x + 20, y: y + 44, size: 14, color: HUD.dim)
        canvas.fillRect(x: x + 20, y: y + 72, width: width - 40, height: 30, color: Vec4(0.12, 0.13, 0.18, 1))
        let caret = Int(now * 2) % 2 == 0 ? "▏" : " "
        _ = canvas.drawText(session.namePrompt.typed + caret, x: x + 28, y: y + 77, size: 16, color: HUD.text)
        _ = canvas.drawText(s["settings.name_keys"], x: x + 20, y: y + 116, size: 13, color: HUD.dim)
    }
}
