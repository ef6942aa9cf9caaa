// SaveBrowser.swift — named save slots and the menu's Save / Load screen.
//
//   $XDG_DATA_HOME/netzero/saves/NAME.nzsave     a save (SaveGame.swift), written atomically
//   $XDG_DATA_HOME/netzero/saves/NAME.png        its thumbnail: the map, one pixel per tile
//   $XDG_DATA_HOME/netzero/saves/NAME.replay     the player's commands so far
//   $XDG_DATA_HOME/netzero/autosaves/…           the yearly autosaves (Settings.swift), listed too
//
// Each save is listed with its thumbnail, the name the player gave it, its level, the game date
// and when it was written; it loads with its own level (`GameSession.load(from:)`, SaveLevel.swift).
// Keys: type a name and Enter to save; ↑/↓ choose, Enter (with no name typed) loads; Delete
// removes the highlighted save; Esc clears the name or closes. The mouse: a click on a save loads
// it, the Save button saves, the wheel scrolls.
import CitySim
import Foundation
import Locale
import Raster
import Render

/// One save file found in the save folders.
public struct SaveSlot: Sendable {
    public var name: String
    public var path: String
    /// nil when the file is not a save this game can read (`problem` says why).
    public var header: SaveHeader?
    public var problem: String?
    public var modified: Date
    public var isAutosave: Bool
    public var thumbnailPath: String { (path as NSString).deletingPathExtension + ".png" }
}

public enum SaveSlots {
    /// The file of a named slot in `directory`: the name kept to letters (any script), digits,
    /// '-', '_' and spaces (made '_'), so that no name leaves the folder or hides a file.
    public static func path(for name: String, in directory: String) -> String {
        let kept = String(String.UnicodeScalarView(name.trimmingCharacters(in: .whitespaces).unicodeScalars.prefix(60).map { scalar -> Unicode.Scalar in
            if CharacterSet.letters.contains(scalar) || CharacterSet.decimalDigits.contains(scalar) || scalar == "-" || scalar == "_" { return scalar }
            return "_"
        }))
        return directory + "/" + (kept.isEmpty ? "save" : kept) + ".nzsave"
    }

    /// Every save in `directories` (autosaves from the second on), newest first.
    public static func list(saves: String, autosaves: String?) -> [SaveSlot] {
        var slots: [SaveSlot] = []
        for (directory, isAutosave) in [(saves, false)] + (autosaves.map { [($0, true)] } ?? []) {
            for file in FileSystem.list(directory).filter({ $0.hasSuffix(".nzsave") && !$0.hasPrefix(".") }).prefix(500) {
                let path = directory + "/" + file
                let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date ?? .distantPast
                var slot = SaveSlot(name: (file as NSString).deletingPathExtension, path: path, header: nil, problem: nil,
                                    modified: modified, isAutosave: isAutosave)
                do {
                    slot.header = try SaveGame.readHeader(from: path)
                    if let name = slot.header?.cityName, !name.isEmpty { slot.name = name }
                } catch {
                    slot.problem = error.description
                }
                slots.append(slot)
            }
        }
        return slots.sorted { ($0.modified, $1.path) > ($1.modified, $0.path) }
    }

    /// The map as a small picture, one pixel per tile (scaled up to at least 64 pixels a side):
    /// water, land, hills, forest, roads, rail and structures, each its own colour.
    public static func thumbnail(of view: CityView) -> Image {
        let map = view.map
        let scale = max(1, 64 / max(map.width, map.height))
        var image = Image(width: map.width * scale, height: map.height * scale)
        for y in 0..<map.height {
            for x in 0..<map.width {
                let i = map.index(x, y)
                let color: RGBA8
                switch map.structure[i] {
                case .road, .busStop: color = RGBA8(70, 70, 78, 255)
                case .rail, .metroStation: color = RGBA8(120, 90, 150, 255)
                case .entity: color = RGBA8(214, 186, 140, 255)
                case .none:
                    switch map.terrain[i] {
                    case .water: color = RGBA8(60, 110, 170, 255)
                    case .land: color = RGBA8(120, 160, 90, 255)
                    case .hill: color = RGBA8(140, 140, 110, 255)
                    case .forest: color = RGBA8(50, 110, 60, 255)
                    }
                }
                for dy in 0..<scale { for dx in 0..<scale { image[x * scale + dx, y * scale + dy] = color } }
            }
        }
        return image
    }
}

/// The browser's state, kept by the session.
public final class SaveBrowserState {
    public var isOpen = false
    public internal(set) var slots: [SaveSlot] = []
    public var index = 0
    /// The name being typed for a new save.
    public var typedName = ""
    /// The last problem (a save that did not load), shown under the list.
    public var message: String?
    var firstRow = 0
    /// Where each save's row and the Save button were last drawn.
    public internal(set) var rowRects: [(index: Int, rect: PanelRect)] = []
    public internal(set) var saveButton: PanelRect?
    /// Each listed save's level title in both languages, by level id (a save keeps only the English one).
    var levelTitles: [String: Names] = [:]
    /// Thumbnails as textures, by file path and modification time.
    var thumbnails: [String: (modified: Date, texture: Texture?)] = [:]
    public init() {}
}

enum SaveBrowser {
    static func open(_ session: GameSession) {
        let state = session.saveBrowser
        state.slots = SaveSlots.list(saves: session.savesDirectory, autosaves: session.dataDirectory.map { $0 + "/autosaves" })
        var titles = [session.level.setup.info.id: session.level.title]
        if state.slots.contains(where: { $0.header.map { titles[$0.levelID] == nil } ?? false }) {
            for listing in LevelIndex.list(userLevels: session.levelPicker.userLevels, userMods: session.levelPicker.userMods).levels {
                guard let level = LevelFile.load(path: listing.path, catalog: session.catalog).level else { continue }
                if titles[level.setup.info.id] == nil { titles[level.setup.info.id] = level.title }
            }
        }
        state.levelTitles = titles
        state.index = 0
        state.typedName = ""
        state.message = nil
        state.isOpen = true
    }

    /// The name a save gets when none is typed: the level's id and the game date.
    static func defaultName(_ session: GameSession) -> String {
        let date = session.view.clock.date
        return "\(session.view.level.id)-\(date.year)-\(String(format: "%02d", date.month))-\(String(format: "%02d", date.day))"
    }

    static func save(_ session: GameSession, now: Double) {
        let state = session.saveBrowser
        let name = GameSettings.clean(state.typedName).isEmpty ? defaultName(session) : GameSettings.clean(state.typedName)
        if session.save(named: name, now: now) {
            state.isOpen = false
            session.menuOpen = false
        } else {
            state.message = session.notices.last?.text
        }
    }

    static func load(_ session: GameSession, index: Int, now: Double) {
        let state = session.saveBrowser
        guard state.slots.indices.contains(index) else { return }
        if session.load(from: state.slots[index].path, now: now) {
            state.isOpen = false
            session.menuOpen = false
        } else {
            state.message = session.notices.last?.text
        }
    }

    /// An event while the browser is open; true if it took it.
    static func handle(_ event: InputEvent, session: GameSession, now: Double) -> Bool {
        let state = session.saveBrowser
        let count = state.slots.count
        switch event {
        case .quit, .resize, .pointerLeft: return false
        case .text(let typed):
            state.typedName = String((state.typedName + typed).prefix(GameSettings.maximumNameLength))
            return true
        case .key(let code, let down, _, _):
            guard down else { return true }
            switch code {
            case KeyCode.escape:
                if state.typedName.isEmpty { state.isOpen = false } else { state.typedName = "" }
            case KeyCode.backspace where !state.typedName.isEmpty: state.typedName.removeLast()
            case KeyCode.up where count > 0: state.index = (state.index + count - 1) % count
            case KeyCode.down where count > 0: state.index = (state.index + 1) % count
            case KeyCode.delete where count > 0 && state.typedName.isEmpty:
                let slot = state.slots[state.index]
                for path in [slot.path, slot.thumbnailPath, (slot.path as NSString).deletingPathExtension + ".replay"] {
                    try? FileManager.default.removeItem(atPath: path)
                }
                state.slots.remove(at: state.index)
                state.index = max(0, min(state.index, state.slots.count - 1))
            case KeyCode.enter:
                if !state.typedName.isEmpty { save(session, now: now) } else if count > 0 { load(session, index: state.index, now: now) }
            default: break
            }
            return true
        case .mouseDown(let x, let y, let button):
            guard button == .left else { return true }
            if let rect = state.saveButton, rect.contains(x, y) { save(session, now: now); return true }
            if let row = state.rowRects.first(where: { $0.rect.contains(x, y) }) {
                state.index = row.index
                load(session, index: row.index, now: now)
            }
            return true
        case .wheel(let dy):
            state.index = max(0, min(count - 1, state.index + (dy > 0 ? -1 : 1)))
            return true
        default:
            return true
        }
    }

    static func thumbnail(_ slot: SaveSlot, state: SaveBrowserState) -> Texture? {
        let path = slot.thumbnailPath
        if let cached = state.thumbnails[path], cached.modified == slot.modified { return cached.texture }
        var texture: Texture?
        if let bytes = FileSystem.read(path), let image = PNG.decodeStored(bytes) { texture = Texture(image) }
        state.thumbnails[path] = (slot.modified, texture)
        return texture
    }

    static func draw(_ canvas: Canvas2D, session: GameSession, width: Float, height: Float, now: Double) {
        let s = session.strings
        let state = session.saveBrowser
        let w: Float = min(680, width - 40)
        let rowHeight: Float = 60
        let footer: Float = 60
        let top: Float = 96
        let visible = max(2, Int((height - HUD.topBar - 40 - top - footer) / rowHeight))
        if state.index < state.firstRow { state.firstRow = state.index }
        if state.index >= state.firstRow + visible { state.firstRow = state.index - visible + 1 }
        state.firstRow = max(0, min(state.firstRow, max(0, state.slots.count - visible)))
        let shown = state.slots.indices.dropFirst(state.firstRow).prefix(visible)
        let h = top + Float(max(1, shown.count)) * rowHeight + footer
        let x = width / 2 - w / 2, y = max(HUD.topBar + 10, height / 2 - h / 2)
        canvas.fillRect(x: x, y: y, width: w, height: h, color: Vec4(0.05, 0.06, 0.09, 1))
        canvas.strokeRect(x: x, y: y, width: w, height: h, color: Vec4(0.4, 0.44, 0.55, 1))
        canvas.pushTextBox(x: x, y: y, width: w, height: h)
        defer { canvas.popTextBox() }
        HUD.label(canvas, session: session, s["saves.title"], x: x + 20, y: y + 12, width: w - 160, size: 18, color: HUD.accent)
        if state.slots.count > visible {
            _ = canvas.drawText("\(state.firstRow + 1)–\(state.firstRow + shown.count) / \(state.slots.count)", x: x + w - 120, y: y + 16, size: 12, color: HUD.dim)
        }
        // The name field and the Save button.
        HUD.label(canvas, session: session, s["saves.name"], x: x + 20, y: y + 44, width: 130, size: 14, color: HUD.dim)
        let button = PanelRect(x: x + w - 120, y: y + 40, width: 100, height: 28)
        canvas.fillRect(x: x + 150, y: y + 40, width: button.x - x - 160, height: 28, color: Vec4(0.12, 0.13, 0.18, 1))
        let caret = Int(now * 2) % 2 == 0 ? "▏" : " "
        let typed = state.typedName.isEmpty ? "" : LevelPicker.clip(state.typedName, canvas: canvas, width: button.x - x - 190, size: 14, keepEnd: true)
        if typed.isEmpty {
            _ = canvas.drawText(LevelPicker.clip(SaveBrowser.defaultName(session), canvas: canvas, width: button.x - x - 190, size: 14) + caret,
                                x: x + 158, y: y + 45, size: 14, color: Vec4(0.5, 0.52, 0.56, 1))
        } else {
            _ = canvas.drawText(typed + caret, x: x + 158, y: y + 45, size: 14, color: HUD.text)
        }
        canvas.fillRect(x: button.x, y: button.y, width: button.width, height: button.height, color: Vec4(0.3, 0.35, 0.5, 1))
        HUD.label(canvas, session: session, s["saves.save"], x: button.x + 12, y: button.y + 5, width: button.width - 20, size: 15)
        state.saveButton = button
        state.rowRects = []
        var iy = y + top - 12
        if state.slots.isEmpty {
            HUD.label(canvas, session: session, s["saves.none"], x: x + 20, y: iy + 20, width: w - 40, size: 14, color: HUD.dim)
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        for i in shown {
            let slot = state.slots[i]
            let rect = PanelRect(x: x + 10, y: iy, width: w - 20, height: rowHeight - 4)
            if i == state.index { canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: Vec4(0.3, 0.35, 0.5, 1)) }
            state.rowRects.append((i, rect))
            if let texture = thumbnail(slot, state: state) {
                canvas.drawImage(texture, x: rect.x + 6, y: rect.y + 4, width: rect.height - 8, height: rect.height - 8)
            } else {
                canvas.fillRect(x: rect.x + 6, y: rect.y + 4, width: rect.height - 8, height: rect.height - 8, color: Vec4(0.15, 0.16, 0.2, 1))
            }
            let tx = rect.x + rect.height + 8, textWidth = rect.width - rect.height - 16
            let name = slot.isAutosave ? s.fill("saves.autosave", ["name": slot.name]) : slot.name
            HUD.label(canvas, session: session, LevelPicker.clip(name, canvas: canvas, width: textWidth - 140, size: 15), x: tx, y: rect.y + 5, width: textWidth - 140, size: 15)
            _ = canvas.drawText(formatter.string(from: slot.modified), x: rect.x + rect.width - 130, y: rect.y + 8, size: 12, color: HUD.dim)
            let detail: String
            if let header = slot.header {
                let title = state.levelTitles[header.levelID].map(s.name) ?? (header.levelTitle.isEmpty ? header.levelID : header.levelTitle)
                detail = s.fill("saves.detail", ["level": title, "date": header.date.description])
            } else {
                detail = slot.problem ?? ""
            }
            HUD.label(canvas, session: session, LevelPicker.clip(detail, canvas: canvas, width: textWidth, size: 12), x: tx, y: rect.y + 30, width: textWidth, size: 12,
                      color: slot.header == nil ? Vec4(1, 0.6, 0.5, 1) : HUD.dim)
            iy += rowHeight
        }
        iy = y + h - footer + 8
        if let message = state.message {
            _ = canvas.drawText(LevelPicker.clip(message, canvas: canvas, width: w - 40, size: 12), x: x + 20, y: iy, size: 12, color: Vec4(1, 0.6, 0.5, 1))
        }
        HUD.label(canvas, session: session, LevelPicker.clip(s["saves.keys"], canvas: canvas, width: w - 40, size: 12), x: x + 20, y: iy + 22, width: w - 40, size: 12, color: HUD.dim)
    }
}
