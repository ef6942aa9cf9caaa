// Settings.swift — the player's settings, where the game keeps its files (the XDG base
// directories), and the one-time prompt for the name.
//
//   $XDG_CONFIG_HOME/netzero/settings.toml   (default ~/.config/netzero/settings.toml)
//       player = "Li Wei"          fullscreen = false        resolution = "1280x720"
//       quality = "high"           language = "en"           ui_scale = 1.0
//       day_night = "on"           colour_blind = false      edge_scrolling = false
//       autosave_months = 12       yearly_card = true
//   $XDG_DATA_HOME/netzero/saves/NAME.nzsave                 (named saves, SaveBrowser.swift)
//   $XDG_DATA_HOME/netzero/autosaves/LEVEL-ID.autosave-N.nzsave   (default ~/.local/share/…)
//   $XDG_DATA_HOME/netzero/levels/*.toml, mods/ID/mod.toml        (the player's levels and mods)
//
// The name is asked once, when the game opens without one; it is written into every replay the
// game records (`player` line), so `netzero grade` can name each student's row. Autosaves are per
// level, so a lesson's never overwrites the sandbox's. The other settings are changed on the
// Settings screen (SettingsScreen.swift), applied at once and written back. An unknown key or a
// bad value gives that setting's default and a message at its file:line:col; the game opens.
import CitySim
import Foundation
import Locale
import Render
import TOML

public struct GameSettings: Sendable, Equatable {
    /// The student's name as they typed it (trimmed; empty until entered).
    public var player = ""
    public var fullscreen = false
    /// The window's size when windowed, pixels.
    public var resolution = Resolution(width: 1280, height: 720)
    public var quality = GraphicsQuality.high
    /// The interface language (nil: `--lang`, else English).
    public var language: Language?
    /// The interface's scale, 1 … 2 (steps of 0.25): every panel and text is drawn this much larger.
    public var uiScale = 1.0
    public var dayNight = DayNight.on
    /// Colours chosen for players with red-green colour blindness in every overlay and chart (Palette.swift).
    public var colourBlind = false
    /// Moving the mouse to the window's edge pans the map.
    public var edgeScrolling = false
    /// Game months between autosaves (0: none).
    public var autosaveMonths = 12
    /// The card that sums up each game year on 1 January.
    public var yearlyCard = true

    public init(player: String = "") { self.player = player }

    public struct Resolution: Sendable, Equatable, CustomStringConvertible {
        public var width: Int, height: Int
        public init(width: Int, height: Int) { self.width = width; self.height = height }
        public var description: String { "\(width)x\(height)" }
        /// The sizes offered on the Settings screen (any WIDTHxHEIGHT from 640x480 to 7680x4320 is read).
        public static let offered = [Resolution(width: 1280, height: 720), Resolution(width: 1366, height: 768),
                                     Resolution(width: 1600, height: 900), Resolution(width: 1920, height: 1080)]
        static func parse(_ text: String) -> Resolution? {
            let parts = text.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, (640...7680).contains(parts[0]), (480...4320).contains(parts[1]) else { return nil }
            return Resolution(width: parts[0], height: parts[1])
        }
    }

    /// `low` for school PCs: one tree clump a tile instead of four, no smoke or traffic, steady daylight.
    public enum GraphicsQuality: String, Sendable, CaseIterable { case high, low }

    /// `on`: day and night at speed 1 (held at day from speed 2, never more than three flashes a
    /// second); `smoothed`: the same, with nights half as dim; `off`: always day.
    public enum DayNight: String, Sendable, CaseIterable { case on, smoothed, off }

    public static let uiScales = [1.0, 1.25, 1.5, 1.75, 2.0]
    public static let autosaveChoices = [0, 1, 3, 6, 12]

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
    /// opens), and a problem is returned to be shown (several joined by newlines).
    public static func load(from path: String) -> (settings: GameSettings, problem: String?) {
        let (settings, problems) = read(from: path)
        return (settings, problems.isEmpty ? nil : problems.joined(separator: "\n"))
    }

    /// The settings in `path`, and one message per problem, each at its file:line:col: a value
    /// of the wrong kind or out of range gives that setting's default, an unknown key is ignored.
    public static func read(from path: String) -> (settings: GameSettings, problems: [String]) {
        guard FileSystem.exists(path) else { return (GameSettings(), []) }
        guard let bytes = FileSystem.read(path), let text = String(validating: bytes, as: UTF8.self) else {
            return (GameSettings(), ["\(path): cannot read the settings as UTF-8 text"])
        }
        let table: TOMLTable
        do {
            table = try TOML.parse(text, file: path)
        } catch {
            return (GameSettings(), ["\(error) (the default settings are used)"])
        }
        var settings = GameSettings()
        var problems: [String] = []
        func bad(_ key: String, _ node: TOMLNode, _ expected: String, _ fallback: String) {
            problems.append("\(path):\(node.position.line):\(node.position.column): error: \(key) must be \(expected); the default, \(fallback), is used")
        }
        for (key, node) in table.entries {
            let value = node.value
            switch key {
            case "player":
                if let name = value.stringValue { settings.player = clean(name) } else { bad(key, node, "a string", "none") }
            case "fullscreen":
                if let flag = value.boolValue { settings.fullscreen = flag } else { bad(key, node, "true or false", "false") }
            case "resolution":
                if let size = value.stringValue.flatMap(Resolution.parse) { settings.resolution = size } else { bad(key, node, "\"WIDTHxHEIGHT\" from 640x480 to 7680x4320", "1280x720") }
            case "quality":
                if let quality = value.stringValue.flatMap(GraphicsQuality.init(rawValue:)) { settings.quality = quality } else { bad(key, node, "\"high\" or \"low\"", "high") }
            case "language":
                if let language = value.stringValue.flatMap(Language.init(rawValue:)) { settings.language = language } else { bad(key, node, "\"en\" or \"zh\"", "en") }
            case "ui_scale":
                if let scale = value.doubleValue ?? value.intValue.map(Double.init), scale.isFinite, (1...2).contains(scale) { settings.uiScale = scale } else { bad(key, node, "a number from 1 to 2", "1") }
            case "day_night":
                if let mode = value.stringValue.flatMap(DayNight.init(rawValue:)) { settings.dayNight = mode } else { bad(key, node, "\"on\", \"smoothed\" or \"off\"", "on") }
            case "colour_blind":
                if let flag = value.boolValue { settings.colourBlind = flag } else { bad(key, node, "true or false", "false") }
            case "edge_scrolling":
                if let flag = value.boolValue { settings.edgeScrolling = flag } else { bad(key, node, "true or false", "false") }
            case "autosave_months":
                if let months = value.intValue, (0...120).contains(months) { settings.autosaveMonths = Int(months) } else { bad(key, node, "a whole number of game months from 0 (never) to 120", "12") }
            case "yearly_card":
                if let flag = value.boolValue { settings.yearlyCard = flag } else { bad(key, node, "true or false", "true") }
            default:
                let at = node.keyPosition ?? node.position
                problems.append("\(path):\(at.line):\(at.column): warning: unknown setting '\(key)' is ignored")
            }
        }
        return (settings, problems)
    }

    public var text: String {
        """
        # NetZero City settings (written by the game; change them on the Settings screen).
        # Your name, written into your replays for your teacher.
        player = \(GameSettings.quote(player))
        fullscreen = \(fullscreen)
        # The window's size when not full screen.
        resolution = "\(resolution)"
        # "low" for slow computers: fewer trees, no smoke or traffic, steady daylight.
        quality = "\(quality.rawValue)"
        \(language.map { "language = \"\($0.rawValue)\"" } ?? "# language = \"en\" or \"zh\"")
        # 1 to 2: the size of panels and text.
        ui_scale = \(uiScale)
        # "on", "smoothed" (dimmer nights) or "off" (always day).
        day_night = "\(dayNight.rawValue)"
        # Colours that stay apart with red-green colour blindness, in every overlay and chart.
        colour_blind = \(colourBlind)
        edge_scrolling = \(edgeScrolling)
        # Game months between autosaves; 0 turns them off.
        autosave_months = \(autosaveMonths)
        # The card that sums up each year on 1 January.
        yearly_card = \(yearlyCard)

        """
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
        case .quit, .resize, .pointerLeft: return false
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
        canvas.pushTextBox(x: x, y: y, width: width, height: height)
        defer { canvas.popTextBox() }
        _ = canvas.drawText(s["settings.name_title"], x: x + 20, y: y + 14, size: 20, color: HUD.accent)
        _ = canvas.drawText(s["settings.name_why"], x: x + 20, y: y + 44, size: 14, color: HUD.dim)
        canvas.fillRect(x: x + 20, y: y + 72, width: width - 40, height: 30, color: Vec4(0.12, 0.13, 0.18, 1))
        let caret = Int(now * 2) % 2 == 0 ? "▏" : " "
        _ = canvas.drawText(session.namePrompt.typed + caret, x: x + 28, y: y + 77, size: 16, color: HUD.text)
        _ = canvas.drawText(s["settings.name_keys"], x: x + 20, y: y + 116, size: 13, color: HUD.dim)
    }
}
