// LevelDraft.swift — what the scenario editor edits in a level, and how an edit reaches the file.
//
// A `LevelDraft` holds the parts of a level the editor changes: `[level]`'s metadata, the map's
// tiles and legend, the allowed tools, the policies, objectives, triggers, hints and catalog
// overrides. It is read from a level that passes `check`; `LevelEditor` keeps the draft as first
// read beside the one being edited, and writes only their differences into the file's text
// (LevelText.swift), so everything the editor does not touch keeps its bytes.
import TOML

public struct LevelDraft: Sendable, Equatable {
    public struct ObjectiveDraft: Sendable, Equatable {
        public var id: String
        public var titleEN: String
        public var titleZH: String
        public var metric: Metric
        public var comparison: Comparison
        public var target: Double
        public var by: Int
        public var required: Bool

        public init(id: String, titleEN: String, titleZH: String, metric: Metric, comparison: Comparison, target: Double, by: Int, required: Bool = true) {
            self.id = id
            self.titleEN = titleEN
            self.titleZH = titleZH
            self.metric = metric
            self.comparison = comparison
            self.target = target
            self.by = by
            self.required = required
        }
    }

    /// One `[catalog.PATH] KEY = { value, unit, source }` override.
    public struct CatalogOverride: Sendable, Equatable {
        public var path: [String]
        public var key: String
        public var value: Double
        public var unit: String
        public var source: String

        public init(path: [String], key: String, value: Double, unit: String, source: String) {
            self.path = path
            self.key = key
            self.value = value
            self.unit = unit
            self.source = source
        }
    }

    public struct PolicySetting: Sendable, Equatable {
        public var name: String
        public var value: Double
        public init(name: String, value: Double) {
            self.name = name
            self.value = value
        }
    }

    // [level]
    public var id = "level"
    public var titleEN = ""
    public var titleZH = ""
    public var summaryEN = ""
    public var summaryZH = ""
    public var seed: Int64 = 1
    public var startYear: Int64 = 2020
    /// Yuan.
    public var budget: Double = 1e9
    /// Share of the homes filled at the start, 0–1.
    public var occupancy: Double = 0.9
    // [map]
    public var width = 0
    public var height = 0
    /// One character per tile, row by row (empty for a generated map, which the editor does not paint).
    public var tiles: [Character] = []
    public var generated = false
    /// The level's own `legend` entries, in the file's order (the default legend is LevelFile's).
    public var legend: [(character: Character, item: String)] = []
    // [tools], [policies]
    public var allowedTools: [String]?
    public var policies: [PolicySetting] = []
    public var objectives: [ObjectiveDraft] = []
    public var triggers: [Trigger] = []
    public var hints: [Names] = []
    public var overrides: [CatalogOverride] = []

    public init() {}

    public static func == (a: LevelDraft, b: LevelDraft) -> Bool {
        a.id == b.id && a.titleEN == b.titleEN && a.titleZH == b.titleZH && a.summaryEN == b.summaryEN && a.summaryZH == b.summaryZH
            && a.seed == b.seed && a.startYear == b.startYear && a.budget == b.budget && a.occupancy == b.occupancy
            && a.width == b.width && a.height == b.height && a.tiles == b.tiles && a.generated == b.generated
            && a.legend.map(\.character) == b.legend.map(\.character) && a.legend.map(\.item) == b.legend.map(\.item)
            && a.allowedTools == b.allowedTools && a.policies == b.policies && a.objectives == b.objectives
            && a.triggers == b.triggers && a.hints == b.hints && a.overrides == b.overrides
    }

    // MARK: - Reading

    /// The draft of a level file's text, or the check's problems when it does not pass.
    public static func read(bytes: [UInt8], file: String, catalog: Catalog) -> (draft: LevelDraft?, diagnostics: [LevelDiagnostic]) {
        let result = LevelFile.parse(bytes: bytes, file: file, catalog: catalog)
        guard let level = result.level, !result.hasErrors, let document = try? TOML.parse(bytes: bytes, file: file) else {
            return (nil, result.diagnostics)
        }
        var draft = LevelDraft()
        let info = document.table("level") ?? TOMLTable()
        draft.id = info.string("id") ?? level.setup.info.id
        draft.titleEN = level.title.en
        draft.titleZH = level.title.zh
        draft.summaryEN = level.summary.en
        draft.summaryZH = level.summary.zh
        draft.seed = info.int("seed") ?? 1
        draft.startYear = info.int("start_year") ?? 2020
        draft.budget = info.double("budget") ?? 1e9
        draft.occupancy = info.double("occupancy") ?? 0.9
        let map = document.table("map") ?? TOMLTable()
        if map.table("generator") != nil {
            draft.generated = true
            draft.width = level.setup.width
            draft.height = level.setup.height
        } else if let text = map.string("rows") {
            var rows = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { String($0.reversed().drop(while: { $0 == " " || $0 == "\r" }).reversed()) }
            while rows.last?.isEmpty == true { rows.removeLast() }
            draft.width = rows.first?.count ?? 0
            draft.height = rows.count
            draft.tiles = rows.flatMap { Array($0) }
        }
        if let legend = map.table("legend") {
            draft.legend = legend.entries.compactMap { entry in
                guard let character = entry.key.first, let item = entry.node.value.stringValue else { return nil }
                return (character, item)
            }
        }
        if let allowed = document.table("tools")?.array("allowed") {
            draft.allowedTools = allowed.compactMap { $0.value.stringValue }
        }
        if let policies = document.table("policies") {
            draft.policies = policies.entries.compactMap { entry in entry.node.value.doubleValue.map { PolicySetting(name: entry.key, value: $0) } }
        }
        draft.objectives = level.objectives.map {
            ObjectiveDraft(id: $0.id, titleEN: $0.title.en, titleZH: $0.title.zh, metric: $0.metric, comparison: $0.comparison,
                           target: $0.target, by: $0.deadlineYear, required: $0.required)
        }
        draft.triggers = level.triggers
        draft.hints = level.hints
        if let catalog = document.table("catalog") { draft.overrides = overrides(in: catalog, path: []) }
        return (draft, result.diagnostics)
    }

    /// The entries of the bundled catalog's table at `path` (e.g. ["plant", "solar"]) that carry
    /// a value with its unit: what a level may override there, with the catalog's own value and source.
    public static func catalogEntries(at path: [String]) -> [CatalogOverride] {
        var found: [CatalogOverride] = []
        for name in FileSystem.list(Catalog.bundledDirectory).sorted() where name.hasSuffix(".toml") {
            let file = Catalog.bundledDirectory + "/" + name
            guard let bytes = FileSystem.read(file), var table = try? TOML.parse(bytes: bytes, file: file) else { continue }
            var reached = true
            for part in path {
                guard let next = table.table(part) else { reached = false; break }
                table = next
            }
            guard reached else { continue }
            found += overrides(in: table, path: path).filter { $0.path == path }
        }
        return found
    }

    static func overrides(in table: TOMLTable, path: [String]) -> [CatalogOverride] {
        var found: [CatalogOverride] = []
        for (key, node) in table.entries {
            guard let sub = node.value.tableValue else { continue }
            if let value = sub.double("value"), let unit = sub.string("unit") {
                found.append(CatalogOverride(path: path, key: key, value: value, unit: unit, source: sub.string("source") ?? ""))
            } else {
                found += overrides(in: sub, path: path + [key])
            }
        }
        return found
    }

    // MARK: - The map

    /// Every item a tile can hold (terrain, then every structure), as the editor's palette lists them.
    public static let mapItems: [String] = ["land", "water", "hill", "forest_terrain"] + Structure.all.map(\.key)
    public static let terrainItems: Set<String> = ["land", "water", "hill", "forest_terrain"]

    /// The item a character stands for: the level's legend first, then the default.
    public func item(for character: Character) -> String? {
        if let own = legend.last(where: { $0.character == character }) { return own.item }
        return LevelFile.defaultLegend.first { $0.0 == character }?.1
    }

    /// The character that draws `item`: the level's own legend first, then the default legend
    /// where the level has not given its character another meaning; nil if none.
    public func character(for item: String) -> Character? {
        if let own = legend.first(where: { $0.item == item }) { return own.character }
        return LevelFile.defaultLegend.first { $0.1 == item && self.item(for: $0.0) == item }?.0
    }

    /// The character for `item`, adding one to the level's legend when no character draws it.
    public mutating func characterAdding(_ item: String) -> Character {
        if let character = character(for: item) { return character }
        let free = "ABEGJKLNPQRUVXYZdijoqrtuvxyz0123456789".first { self.item(for: $0) == nil }!
        legend.append((free, item))
        return free
    }

    public func tile(_ x: Int, _ y: Int) -> Character? {
        guard x >= 0, y >= 0, x < width, y < height, !tiles.isEmpty else { return nil }
        return tiles[y * width + x]
    }

    /// Paints `item` on a square brush of `size` (1, 3 or 5 tiles) centred on (x, y).
    public mutating func paint(_ item: String, x: Int, y: Int, brush size: Int) {
        let r = max(0, size / 2)
        fill(item, from: (x - r, y - r), to: (x + r, y + r))
    }

    /// Fills the rectangle between two corners (clipped to the map) with `item`.
    public mutating func fill(_ item: String, from a: (Int, Int), to b: (Int, Int)) {
        guard !generated, !tiles.isEmpty else { return }
        let character = characterAdding(item)
        for y in max(0, min(a.1, b.1))...max(0, min(height - 1, max(a.1, b.1))) where y < height {
            for x in max(0, min(a.0, b.0))...max(0, min(width - 1, max(a.0, b.0))) where x < width {
                tiles[y * width + x] = character
            }
        }
    }

    /// The map's rows as text.
    public var rows: [String] {
        (0..<height).map { y in String(tiles[(y * width)..<((y + 1) * width)]) }
    }

    // MARK: - Writing

    /// Writes what differs between `original` (the draft as read from `text`) and this draft
    /// into `text`, key by key.
    public func write(over original: LevelDraft, into text: inout LevelText) {
        let level = LevelText.Table.named(["level"])
        func string(_ key: String, _ old: String, _ new: String, in table: LevelText.Table) {
            if old != new { text.set(key, to: LevelText.string(new), in: table) }
        }
        func number(_ key: String, _ old: Double, _ new: Double, in table: LevelText.Table) {
            if old != new { text.set(key, to: LevelText.number(new), in: table) }
        }
        string("id", original.id, id, in: level)
        string("title_en", original.titleEN, titleEN, in: level)
        string("title_zh", original.titleZH, titleZH, in: level)
        string("summary_en", original.summaryEN, summaryEN, in: level)
        string("summary_zh", original.summaryZH, summaryZH, in: level)
        number("seed", Double(original.seed), Double(seed), in: level)
        number("start_year", Double(original.startYear), Double(startYear), in: level)
        number("budget", original.budget, budget, in: level)
        number("occupancy", original.occupancy, occupancy, in: level)

        if !generated && (tiles != original.tiles || width != original.width || height != original.height) {
            text.set("rows", to: "\"\"\"\n" + rows.joined(separator: "\n") + "\n\"\"\"", in: .named(["map"]))
        }
        if legend.map(\.character) != original.legend.map(\.character) || legend.map(\.item) != original.legend.map(\.item) {
            if text.scan().contains(where: { !$0.isArray && $0.path == ["map", "legend"] }) {
                for entry in legend where !original.legend.contains(where: { $0.character == entry.character && $0.item == entry.item }) {
                    text.set(String(entry.character), to: LevelText.string(entry.item), in: .named(["map", "legend"]))
                }
            } else {
                let pairs = legend.map { "\(LevelText.string(String($0.character))) = \(LevelText.string($0.item))" }
                text.set("legend", to: "{ " + pairs.joined(separator: ", ") + " }", in: .named(["map"]))
            }
        }

        if allowedTools != original.allowedTools {
            if let allowedTools {
                text.set("allowed", to: LevelText.list(allowedTools), in: .named(["tools"]))
            } else {
                text.remove("allowed", in: .named(["tools"]))
            }
        }
        for setting in policies where !original.policies.contains(setting) {
            text.set(setting.name, to: LevelText.number(setting.value), in: .named(["policies"]))
        }
        for old in original.policies where !policies.contains(where: { $0.name == old.name }) {
            text.remove(old.name, in: .named(["policies"]))
        }

        writeObjectives(over: original.objectives, into: &text)
        writeList(["hints"], old: original.hints, new: hints, into: &text, block: LevelDraft.hintBlock) { hint, old, table, text in
            if hint.en != old.en { text.set("text_en", to: LevelText.string(hint.en), in: table) }
            if hint.zh != old.zh { text.set("text_zh", to: LevelText.string(hint.zh), in: table) }
        }
        writeList(["triggers"], old: original.triggers, new: triggers, into: &text, block: LevelDraft.triggerBlock) { trigger, _, table, text in
            guard case .element(_, let n) = table else { return }
            text.replaceElement(["triggers"], n, with: LevelDraft.triggerBlock(trigger))
        }
        for override in overrides where !original.overrides.contains(override) {
            text.set(override.key, to: LevelDraft.overrideLiteral(override), in: .named(["catalog"] + override.path))
        }
        for old in original.overrides where !overrides.contains(where: { $0.path == old.path && $0.key == old.key }) {
            text.remove(old.key, in: .named(["catalog"] + old.path))
        }
    }

    func writeObjectives(over old: [ObjectiveDraft], into text: inout LevelText) {
        writeList(["objectives"], old: old, new: objectives, into: &text, block: LevelDraft.objectiveBlock) { objective, before, table, text in
            func set(_ key: String, _ changed: Bool, _ literal: String) { if changed { text.set(key, to: literal, in: table) } }
            set("id", objective.id != before.id, LevelText.string(objective.id))
            set("title_en", objective.titleEN != before.titleEN, LevelText.string(objective.titleEN))
            set("title_zh", objective.titleZH != before.titleZH, LevelText.string(objective.titleZH))
            set("metric", objective.metric != before.metric, LevelText.string(objective.metric.rawValue))
            if objective.comparison != before.comparison { text.remove(before.comparison.rawValue, in: table) }
            set(objective.comparison.rawValue, objective.comparison != before.comparison || objective.target != before.target, LevelText.number(objective.target))
            set("by", objective.by != before.by, String(objective.by))
            if objective.required != before.required {
                if objective.required { text.remove("required", in: table) } else { text.set("required", to: "false", in: table) }
            }
        }
    }

    /// Writes a `[[name]]` list: changed elements in place (`update`), new ones appended, removed ones taken away from the end.
    func writeList<T: Equatable>(_ path: [String], old: [T], new: [T], into text: inout LevelText, block: (T) -> String,
                                 update: (T, T, LevelText.Table, inout LevelText) -> Void) {
        for i in 0..<min(old.count, new.count) where old[i] != new[i] {
            update(new[i], old[i], .element(path, i), &text)
        }
        if new.count > old.count {
            for element in new[old.count...] { text.appendElement(path, block: block(element)) }
        } else {
            for i in stride(from: old.count - 1, through: new.count, by: -1) { text.removeElement(path, i) }
        }
    }

    static func objectiveBlock(_ o: ObjectiveDraft) -> String {
        var lines = ["[[objectives]]", "id = \(LevelText.string(o.id))", "title_en = \(LevelText.string(o.titleEN))",
                     "title_zh = \(LevelText.string(o.titleZH))", "metric = \(LevelText.string(o.metric.rawValue))",
                     "\(o.comparison.rawValue) = \(LevelText.number(o.target))", "by = \(o.by)"]
        if !o.required { lines.append("required = false") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func hintBlock(_ hint: Names) -> String {
        "[[hints]]\ntext_en = \(LevelText.string(hint.en))\ntext_zh = \(LevelText.string(hint.zh))\n"
    }

    static func triggerBlock(_ trigger: Trigger) -> String {
        let when: String
        switch trigger.when {
        case .metric(let metric, let comparison, let target):
            when = "{ metric = \(LevelText.string(metric.rawValue)), \(comparison.rawValue) = \(LevelText.number(target)) }"
        case .date(let year, let month, let day):
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            when = "{ date = \"\(year)-\(two(month))-\(two(day))\" }"
        case .built(let name): when = "{ built = \(LevelText.string(name)) }"
        case .objective(let id, let status): when = "{ objective = \(LevelText.string(id)), status = \(LevelText.string(status.rawValue)) }"
        }
        var lines = ["[[triggers]]", "id = \(LevelText.string(trigger.id))", "when = \(when)", "actions = ["]
        for action in trigger.actions { lines.append("  " + actionLiteral(action) + ",") }
        lines.append("]")
        if !trigger.once { lines.append("once = false") }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func actionLiteral(_ action: TriggerAction) -> String {
        switch action {
        case .message(let names): return "{ message_en = \(LevelText.string(names.en)), message_zh = \(LevelText.string(names.zh)) }"
        case .advisor(let names): return "{ advisor_en = \(LevelText.string(names.en)), advisor_zh = \(LevelText.string(names.zh)) }"
        case .grant(let yuan): return "{ grant = \(LevelText.number(yuan)) }"
        case .unlock(let tool): return "{ unlock = \(LevelText.string(tool)) }"
        case .event(let kind, let days, let policy, let value):
            var parts = ["event = \(LevelText.string(kind.rawValue))", "days = \(days)"]
            if let policy { parts.append("policy = \(LevelText.string(policy))") }
            if let value { parts.append("value = \(LevelText.number(value))") }
            return "{ " + parts.joined(separator: ", ") + " }"
        case .win: return "{ win = true }"
        case .lose: return "{ lose = true }"
        }
    }

    static func overrideLiteral(_ o: CatalogOverride) -> String {
        "{ value = \(LevelText.number(o.value)), unit = \(LevelText.string(o.unit)), source = \(LevelText.string(o.source)) }"
    }
}

/// A level being edited: its file's text as read, the draft as read and as now, and the undo
/// and redo stacks (each entry a whole draft: the map is at most 512 × 512 characters).
public struct LevelEditor: Sendable {
    public let path: String
    /// The file as last read or saved, and its draft: what edits are written over.
    public private(set) var originalText: LevelText
    public private(set) var original: LevelDraft
    public private(set) var draft: LevelDraft
    public private(set) var undoStack: [LevelDraft] = []
    public private(set) var redoStack: [LevelDraft] = []
    /// Undo steps kept.
    public static let undoDepth = 200

    public init(path: String, bytes: [UInt8], draft: LevelDraft) {
        self.path = path
        originalText = LevelText(bytes: bytes)
        original = draft
        self.draft = draft
    }

    /// Opens a level file; nil with the check's problems when it cannot be edited.
    public static func open(path: String, catalog: Catalog) -> (editor: LevelEditor?, diagnostics: [LevelDiagnostic]) {
        switch FileSystem.readRegularFile(path, limit: LevelFile.maximumBytes) {
        case .failure(let problem):
            return (nil, [LevelDiagnostic(file: path, line: 1, column: 1, severity: .error, message: "cannot read the level: \(problem.reason)")])
        case .success(let bytes):
            let (draft, diagnostics) = LevelDraft.read(bytes: bytes, file: path, catalog: catalog)
            return (draft.map { LevelEditor(path: path, bytes: bytes, draft: $0) }, diagnostics)
        }
    }

    /// One undoable edit; an edit that changes nothing leaves the stacks alone.
    public mutating func edit(_ change: (inout LevelDraft) -> Void) {
        var next = draft
        change(&next)
        guard next != draft else { return }
        undoStack.append(draft)
        if undoStack.count > LevelEditor.undoDepth { undoStack.removeFirst() }
        redoStack.removeAll()
        draft = next
    }

    public var canUndo: Bool { !undoStack.isEmpty }
    public var canRedo: Bool { !redoStack.isEmpty }

    public mutating func undo() {
        guard let previous = undoStack.popLast() else { return }
        redoStack.append(draft)
        draft = previous
    }

    public mutating func redo() {
        guard let next = redoStack.popLast() else { return }
        undoStack.append(draft)
        draft = next
    }

    /// The level file as it would be saved: the original bytes with the draft's changes.
    public var text: LevelText { text(of: draft) }

    /// The file as it would be saved with `other` as the draft (the editor's drag in progress).
    public func text(of other: LevelDraft) -> LevelText {
        var text = originalText
        other.write(over: original, into: &text)
        return text
    }

    public var isModified: Bool { text.bytes != originalText.bytes }

    /// Checks the level as it would be saved (`check` is `netzero check`'s, which the app
    /// provides with the script lint; by default the level reader's) and writes it atomically
    /// to `path` when it passes. Returns the problems; nothing is written when one is an error.
    public mutating func save(to path: String? = nil, catalog: Catalog,
                     check: ((_ bytes: [UInt8], _ path: String) -> [LevelDiagnostic])? = nil) -> [LevelDiagnostic] {
        let target = path ?? self.path
        let bytes = text.bytes
        let diagnostics = check?(bytes, target) ?? LevelFile.parse(bytes: bytes, file: target, catalog: catalog).diagnostics
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return diagnostics }
        do {
            try FileSystem.writeAtomically(bytes, to: target)
        } catch {
            return diagnostics + [LevelDiagnostic(file: target, line: 1, column: 1, severity: .error, message: "cannot write the level: \(error)")]
        }
        originalText = LevelText(bytes: bytes)
        original = draft
        return diagnostics
    }
}
