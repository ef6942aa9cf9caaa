// Session.swift — one game in progress: the city, the camera, the chosen tool, and what the
// player's input does to them.
//
// [SECTION] State
// [SECTION] Time: speeds and the per-frame simulation budget
// [SECTION] Input: mouse, keys, drag painting, the toolbar by keyboard
// [SECTION] Undo and redo
// [SECTION] Save, load, screenshot
//
// The session reads the city through `CityView` and changes it only with `City.submit`, so every
// change the player makes is a command in the replay log.
import CitySim
import ECS
import Foundation
import Locale
import Render

public final class GameSession {
    // MARK: - [SECTION] State

    public private(set) var city: City {
        didSet {
            objectiveTrend.reset()
            appliedCommands = EventReader(after: city.world)
        }
    }
    /// The city's `CommandApplied` events not yet turned into notices (a refusal is one).
    private var appliedCommands: EventReader<CommandApplied>
    public var catalog: Catalog { city.catalog }
    public private(set) var level: LevelDefinition
    public var camera: Camera
    public var strings: Strings
    public var overlay: Overlay = .none { didSet { staticDirty = true } }
    public var showCharts = false
    /// The charts panel's textures (LiveCharts.swift).
    let charts = LiveCharts()
    /// The forecast to 2060 and its chart (ForecastPanel.swift).
    let forecast = ForecastState()
    /// The carbon panels (CarbonPanels.swift): which one is open, and where each list is.
    public var panels = CarbonPanelState()
    /// The budget warning drawn under the top bar in the last frame (BudgetPanel.drawWarning), if any.
    public internal(set) var budgetWarning: String?
    /// Whether a card sums up each closed year on 1 January (YearlyCard.swift); settings.toml's
    /// `yearly_card` may turn it off.
    public var showsYearlyCard = true
    /// The yearly card, while it is shown.
    public internal(set) var yearlyCard = YearlyCardState()
    /// The end-of-lesson screen (LessonEndScreen.swift): open when the level is decided, or on S.
    public let lessonEnd = LessonEndState()
    /// The lesson's briefing card and hints (Briefing.swift): a lesson starts paused on it.
    public let briefing = BriefingState()
    /// Where the inspector and the objectives panel were last drawn (clicks there do not reach the map).
    public internal(set) var inspectorRect: PanelRect?
    /// The inspector's rows as last drawn (tests read them).
    public internal(set) var inspectorRows: [String] = []
    public internal(set) var objectivesRect: PanelRect?
    /// Where the overlay buttons were drawn in the last frame (a click there picks the overlay).
    public internal(set) var overlayButtonRects: [(overlay: Overlay, rect: PanelRect)] = []
    /// Labels drawn wider than their box in the last frame (HUD.label); the tests require none.
    public internal(set) var overflowingText: [String] = []
    /// The top bar's items as last drawn ("Net CO2 1,234 t ↑", …).
    public internal(set) var topBarText: [String] = []
    /// The toolbar's row height as last drawn (HUD.toolHeight: shorter rows in a short window).
    public internal(set) var toolRowHeight: Float = 19
    public var menuOpen = false
    public var menuIndex = 0
    /// Messages already wrapped to the feed's width (HUD.drawMessages), so each is measured once.
    var wrappedMessages: [String: [String]] = [:]
    /// The level picker (opened from the menu, LevelPicker.swift): the levels found, and the one highlighted.
    public private(set) var levelChoices: [LevelChoice] = []
    public let levelPicker = LevelPickerState()
    public var pickingLevel = false
    public var levelIndex = 0
    /// Attaches a level's script to a new city (set by the app, which knows the Lua layer).
    public var scriptAttacher: ((LevelDefinition, City) -> Void)?
    /// Attaches a level's script to a loaded city with the state it was saved with (set by the app).
    public var scriptResumer: ((LevelDefinition, City, String) throws -> Void)?
    /// The menu's Save / Load screen (SaveBrowser.swift).
    public let saveBrowser = SaveBrowserState()
    /// The menu's Settings screen (SettingsScreen.swift).
    public let settingsScreen = SettingsScreenState()
    public private(set) var tools: [String]
    public var toolIndex = 0
    public var paused = false
    /// 1…GameSpeed.top (Speeds.swift).
    public var speed = 1
    /// Seconds the last frame took to draw and present (GameLoop measures it): the top speed
    /// simulates in what a 30 fps frame leaves.
    public var renderSeconds = 0.0
    public var selectedTile: (x: Int, y: Int)?
    public private(set) var notices: [(text: String, until: Double)] = []
    public var savePath: String
    /// The player's settings (Settings.swift): their name goes into every replay the game writes.
    public var settings = GameSettings()
    /// Each objective's value at the close of the last 30 game days (ObjectiveProjection.swift).
    public let objectiveTrend = ObjectiveTrend()
    /// The one-time prompt for the player's name.
    public let namePrompt = NamePromptState()
    /// Where autosaves go: `autosaves/` in here, one set of files per level (nil: beside the quick save).
    public var dataDirectory: String?
    public var screenshotDirectory: String
    public var quitRequested = false
    /// The scenario editor (Editor.swift), when one was opened: it draws and takes input while
    /// open, and keeps its level while the player test-plays it.
    public var editor: EditorState?
    /// Tiles being painted by a drag, and what they would cost.
    public private(set) var dragTiles: [(Int, Int)] = []
    /// The drag preview as last drawn ("Cost: … Construction CO2: … t").
    public internal(set) var dragPreview: String?
    /// The overlay's figures as last computed for the scene (the legend reads its range).
    public internal(set) var overlayField: OverlayField?
    /// The legend's texts as last drawn (its title with the unit, then its stops).
    public internal(set) var legendText: [String] = []
    /// Where the demand bars were drawn in the last frame (hovering them shows what they mean).
    public internal(set) var demandRect: PanelRect?
    /// The map tile under the cursor (nil off the map or over a panel).
    public internal(set) var hoverTile: (x: Int, y: Int)?
    /// The tooltip drawn in the last frame (its lines), empty when none.
    public internal(set) var tooltipLines: [String] = []
    /// The last drag's commands not yet applied (log indices) and the outcomes seen so far: when
    /// all are in, one notice sums the drag up ("12 built, 3 refused: 2 water, 1 occupied").
    var dragSummary: (pending: Set<Int>, tool: String, done: Int, refusals: [Refusal])?
    var dragStart: (Int, Int)?
    var rightDrag: (x: Int, y: Int)?
    var leftDown = false
    var mouse = (x: 0, y: 0)
    /// Each entry is one action (a click or a drag): the command-log indices of its commands.
    var undoStack: [[Int]] = []
    /// Each entry is an undone action: its commands, to submit again.
    var redoStack: [[CityCommand]] = []
    var staticDirty = true
    var lastStaticDay: Int64 = -1
    var tickCarry = 0.0
    /// The files the open level was read from, watched for the "Reload level" offer (HotReload.swift).
    public var levelWatch: LevelWatch?
    /// While the level's files have changed on disk: which, and why a reload failed, if it did.
    public var reloadOffer: ReloadOffer?
    /// Where the offer's banner and its buttons were drawn in the last frame.
    public internal(set) var reloadBanner: ReloadBanner.Layout?
    var nextLevelCheck = 0.0

    public var tool: String { tools[toolIndex] }

    public init(city: City, level: LevelDefinition, language: Language, savePath: String = "saves/quick.nzsave",
                screenshotDirectory: String = "screenshots") {
        self.city = city
        appliedCommands = EventReader(after: city.world)
        self.level = level
        strings = Strings(language: language)
        self.savePath = savePath
        self.screenshotDirectory = screenshotDirectory
        let map = city.view.map
        let width = Float(map.width), height = Float(map.height)
        // Small towns are seen whole; a big city opens on its centre district.
        camera = Camera(target: Vec3(width / 2, 0, height / 2),
                        distance: min(72, max(12, max(width, height) * 0.9)),
                        bounds: Camera.Bounds(minTarget: Vec3(0, 0, 0), maxTarget: Vec3(width, 0, height),
                                              minDistance: 4, maxDistance: max(40, max(width, height) * 2)))
        tools = []
        tools = availableTools()
        levelWatch = LevelWatch(level: level)
        Briefing.reset(self)
    }

    func availableTools() -> [String] {
        let all = ["select"] + Structure.all.map(\.key) + UpgradeKind.allCases.map(\.key) + ["demolish"]
        return all.filter { $0 == "select" || (city.view.rules?.allows($0) ?? true) }
    }

    public var view: CityView { city.view }

    public func notify(_ text: String, now: Double, seconds: Double = 4) {
        notices.append((text, now + seconds))
        if notices.count > 6 { notices.removeFirst() }
    }

    // MARK: - [SECTION] Time

    /// Game hours per real second at the current speed (GameSpeed, over the level's base rate).
    public var hoursPerSecond: Double {
        GameSpeed.hoursPerSecond(speed: max(1, min(GameSpeed.top, speed)), yearMinutes: GameSpeed.yearMinutes(level))
    }

    /// Whether `advance` may split a tick over frames (on the wall clock; the simulation's
    /// bytes are the same either way). Off, each tick runs whole, which a test driving
    /// `advance` with a made-up clock needs, since slices are timed on the real one.
    public var slicesTicks = true

    /// Advances the simulation for one frame of `frameSeconds`, spending at most `budget`
    /// seconds of `clock` time (by default what a 30 fps frame leaves after the last frame's
    /// drawing, `renderSeconds`), so that input stays responsive and the window holds 30 fps.
    /// At speed 1 the default budget is the 5 ms slice, and a tick longer than what is left
    /// is finished in the next frames. Returns the ticks completed.
    @discardableResult
    public func advance(frameSeconds: Double, budget: Double? = nil, clock: () -> Double) -> Int {
        defer { LessonEndScreen.watch(self) }
        if paused || menuOpen || namePrompt.isOpen {
            city.applyPendingCommands()
            noticeRefusals(now: clock())
            return 0
        }
        let rate = hoursPerSecond
        let budget = budget ?? GameSpeed.stepBudget(renderSeconds: renderSeconds, speed: speed)
        // At the top speed there is no rate: the frame's budget limits the hours run (and a game
        // year, so that a clock that does not move cannot hold the frame for ever).
        tickCarry += rate.isFinite ? rate * frameSeconds : GameSpeed.hoursPerYear
        let start = clock()
        var ticks = 0, firstSlice = true
        while tickCarry >= 1 || city.isMidTick {
            let elapsed = clock() - start
            guard elapsed < budget else { break }
            let dayBefore = view.clock.dayIndex
            // A tick longer than what is left of the budget is run in slices over the next
            // frames (the same systems in the same order: the same bytes), so that a frame never
            // waits for a whole slow tick. Only the frame's first slice may run a system longer
            // than what is left: a tick finished within the frame leaves the next one to the
            // next frame rather than start it with a system that overruns.
            if slicesTicks {
                defer { firstSlice = false }
                guard city.stepSlice(budget: budget - elapsed, runsAtLeastOne: firstSlice) else { break }
            } else {
                city.step()
            }
            noticeRefusals(now: start)
            tickCarry -= 1
            ticks += 1
            if view.clock.dayIndex != dayBefore { objectiveTrend.record(view) }
            autosaveIfNewYear(now: start)
            YearlyCard.watch(self)
        }
        // Hours not run this frame are carried, but never more than a second's worth: a slow
        // machine runs the game slower rather than in bursts.
        if !rate.isFinite { tickCarry = 0 } else { tickCarry = min(tickCarry, rate) }
        if ticks == 0 && !city.isMidTick {
            city.applyPendingCommands()
            noticeRefusals(now: start)
        }
        return ticks
    }

    /// The player's refused commands become notices in the messages feed, in the player's words.
    /// Read after every tick: an event lives only until the end of the next one.
    /// A drag refused on many tiles for one reason gives one notice, with the count.
    func noticeRefusals(now: Double) {
        var reasons: [(text: String, count: Int)] = []
        for event in appliedCommands.read(city.world) where event.record.source == .player {
            if var drag = dragSummary, drag.pending.contains(event.index) {
                drag.pending.remove(event.index)
                if case .refused(let why) = event.record.outcome { drag.refusals.append(why) } else { drag.done += 1 }
                dragSummary = drag.pending.isEmpty ? nil : drag
                if drag.pending.isEmpty {
                    notify(GameSession.dragSummaryText(tool: drag.tool, done: drag.done, refusals: drag.refusals, strings: strings), now: now, seconds: 6)
                }
                continue
            }
            guard case .refused(let why) = event.record.outcome else { continue }
            let text = CarbonPanels.refusalText(why, strings: strings)
            if let i = reasons.firstIndex(where: { $0.text == text }) { reasons[i].count += 1 } else { reasons.append((text, 1)) }
        }
        for reason in reasons {
            notify("\(strings["messages.refused"]): \(reason.text)" + (reason.count > 1 ? " (×\(reason.count))" : ""), now: now, seconds: 6)
        }
    }

    /// "12 built, 3 refused: 2 water, 1 occupied", in the player's language: reasons in the
    /// order first met, each in its short form (`[refusal_short]`, else the full refusal).
    public static func dragSummaryText(tool: String, done: Int, refusals: [Refusal], strings s: Strings) -> String {
        let verb = tool == "demolish" ? "messages.drag_demolished" : UpgradeKind.allCases.contains { $0.key == tool } ? "messages.drag_upgraded" : "messages.drag_built"
        let doneText = s.fill(verb, ["count": "\(done)"])
        guard !refusals.isEmpty else { return doneText }
        var groups: [(key: String, text: String, count: Int)] = []
        for refusal in refusals {
            if let i = groups.firstIndex(where: { $0.key == refusal.key }) { groups[i].count += 1; continue }
            let short = "refusal_short." + refusal.key
            groups.append((refusal.key, s.has(short) ? s[short] : CarbonPanels.refusalText(refusal, strings: s), 1))
        }
        let reasons = groups.map { s.fill("refusal_short.item", ["count": "\($0.count)", "reason": $0.text]) }
        return s.fill("messages.drag_summary", ["done": doneText, "refused": "\(refusals.count)",
                                                "reasons": reasons.joined(separator: s["refusal_short.separator"])])
    }

    // MARK: - [SECTION] Input

    /// Handles one input event; `size` is the framebuffer size, `now` the animation time. At a
    /// UI scale above 1 the pointer and the size are turned into the canvas's units first (the
    /// HUD is laid out in them, Canvas2D.scale).
    public func handle(_ event: InputEvent, size: (width: Int, height: Int), now: Double) {
        let scale = uiScale(frame: size)
        guard scale != 1 else { return handleInCanvasUnits(event, size: size, now: now) }
        func unscaled(_ v: Int) -> Int { Int((Double(v) / scale).rounded(.down)) }
        let event: InputEvent = switch event {
        case .mouseDown(let x, let y, let button): .mouseDown(x: unscaled(x), y: unscaled(y), button: button)
        case .mouseUp(let x, let y, let button): .mouseUp(x: unscaled(x), y: unscaled(y), button: button)
        case .mouseMove(let x, let y, let buttons): .mouseMove(x: unscaled(x), y: unscaled(y), buttons: buttons)
        default: event
        }
        handleInCanvasUnits(event, size: (unscaled(size.width), unscaled(size.height)), now: now)
    }

    /// The interface's smallest layout, in canvas units: every panel fits a 960 × 600 window at 1×.
    public static let smallestLayout = (width: 960.0, height: 600.0)

    /// The UI scale used in a frame of `frame` pixels: the player's choice (1 … 2), as far as the
    /// frame leaves the interface its smallest layout (so 2× takes a 1920 × 1200 frame; a 1280 × 720
    /// one gets 1.2×).
    public func uiScale(frame: (width: Int, height: Int)) -> Double {
        min(settings.uiScale, max(1, min(Double(frame.width) / GameSession.smallestLayout.width,
                                         Double(frame.height) / GameSession.smallestLayout.height)))
    }

    func handleInCanvasUnits(_ event: InputEvent, size: (width: Int, height: Int), now: Double) {
        switch event {
        // The reload offer answers over every screen: Ctrl+R, or a click on its banner.
        case .key(KeyCode.letter("r"), true, true, _) where reloadOffer != nil: reloadLevel(now: now); return
        case .mouseDown(let x, let y, .left) where handleReloadClick(x: x, y: y, now: now): return
        case _ where namePrompt.isOpen && NamePrompt.handle(event, session: self, now: now): return
        case _ where lessonEnd.isOpen && LessonEndScreen.handle(event, session: self, size: size, now: now): return
        case _ where briefing.isOpen && Briefing.handle(event, session: self, size: size, now: now): return
        case _ where pickingLevel && LevelPicker.handle(event, session: self, now: now): return
        case _ where saveBrowser.isOpen && SaveBrowser.handle(event, session: self, now: now): return
        case _ where settingsScreen.isOpen && SettingsScreen.handle(event, session: self, now: now): return
        case _ where editor?.isOpen == true && Editor.handle(event, session: self, size: size, now: now): return
        case .quit: quitRequested = true
        case .pointerLeft: pointerInWindow = false
        case .key(let code, let down, let ctrl, let shift):
            guard down else { return }
            handleKey(code, ctrl: ctrl, shift: shift, now: now)
        case .mouseDown(let x, let y, let button):
            mouse = (x, y)
            if menuOpen {
                if button == .left, let i = HUD.menuLayout(size: size).items.firstIndex(where: { $0.contains(x, y) }) {
                    menuIndex = i
                    runMenuItem(HUD.menuItems[i], now: now)
                }
                return
            }
            if button == .right { rightDrag = (x, y); return }
            guard button == .left else { return }
            if YearlyCard.takeClick(x: x, y: y, session: self) { return }
            if CarbonPanels.takeClick(x: x, y: y, session: self) { return }
            if let hint = Briefing.hudHintButton(session: self), hint.contains(x, y) {
                Briefing.showHint(self, now: now)
                return
            }
            if let index = HUD.toolAt(x: x, y: y, session: self, size: size) {
                toolIndex = index
                return
            }
            if let chosen = HUD.overlayAt(x: x, y: y, session: self) {
                overlay = chosen
                return
            }
            guard let tile = tileAt(x: x, y: y, size: size) else { return }
            leftDown = true
            dragStart = tile
            dragTiles = [tile]
        case .mouseMove(let x, let y, _):
            pointerInWindow = true
            if let start = rightDrag {
                camera.pan(pixelsX: Float(x - start.x), pixelsY: Float(y - start.y), viewportHeight: size.height)
                rightDrag = (x, y)
            }
            mouse = (x, y)
            hoverTile = menuOpen ? nil : tileAt(x: x, y: y, size: size).map { (x: $0.0, y: $0.1) }
            if menuOpen && !pickingLevel, let i = HUD.menuLayout(size: size).items.firstIndex(where: { $0.contains(x, y) }) {
                menuIndex = i
            }
            if leftDown, let start = dragStart, let tile = tileAt(x: x, y: y, size: size) {
                dragTiles = GameSession.paintPath(from: start, to: tile, straightLine: tool == "road" || tool == "rail" || tool == "bike_lane" || tool == "metro_tunnel")
            }
        case .mouseUp(let x, let y, let button):
            mouse = (x, y)
            if button == .right { rightDrag = nil; return }
            guard button == .left, leftDown else { return }
            leftDown = false
            commit(tiles: dragTiles, now: now)
            dragTiles = []
            dragStart = nil
        case .wheel(let dy):
            if CarbonPanels.wheel(dy, at: mouse, session: self, size: size) { return }
            camera.zoom(by: dy > 0 ? 0.85 : 1.18)
        case .resize: staticDirty = true
        default: break
        }
    }

    func handleKey(_ code: Int32, ctrl: Bool, shift: Bool, now: Double) {
        if menuOpen {
            switch code {
            case KeyCode.escape: menuOpen = false
            case KeyCode.up: menuIndex = (menuIndex + HUD.menuItems.count - 1) % HUD.menuItems.count
            case KeyCode.down: menuIndex = (menuIndex + 1) % HUD.menuItems.count
            case KeyCode.enter: runMenuItem(HUD.menuItems[menuIndex], now: now)
            default: break
            }
            return
        }
        // Esc dismisses the yearly card first.
        if code == KeyCode.escape && yearlyCard.isOpen { YearlyCard.dismiss(self); return }
        // The carbon panels' keys (P, K, R, N, G), and Esc and the arrows while one is open.
        if CarbonPanels.handleKey(code, ctrl: ctrl, session: self) { return }
        switch code {
        case KeyCode.escape: menuOpen = true; menuIndex = 0
        case KeyCode.space: paused.toggle()
        case KeyCode.letter("1"), KeyCode.letter("2"), KeyCode.letter("3"), KeyCode.letter("4"):
            speed = Int(code - KeyCode.letter("1")) + 1
            paused = false
        case KeyCode.letter("z") where ctrl: undo()
        case KeyCode.letter("y") where ctrl: redo()
        case KeyCode.letter("o"): overlay = overlay.next
        case KeyCode.letter("c"): showCharts.toggle()
        case KeyCode.letter("f"): ForecastPanel.toggle(self)
        case KeyCode.letter("l"): SettingsScreen.change("language", by: 1, session: self, now: now)
        case KeyCode.letter("s") where !ctrl: LessonEndScreen.open(self)
        case KeyCode.letter("h"): Briefing.showHint(self, now: now)
        case KeyCode.letter("b") where Briefing.isLesson(level): Briefing.open(self)
        case KeyCode.letter("q"): camera.rotate(yaw: 0.2)
        case KeyCode.letter("e"): camera.rotate(yaw: -0.2)
        case KeyCode.tab: toolIndex = (toolIndex + (shift ? tools.count - 1 : 1)) % tools.count
        case KeyCode.left: camera.pan(right: -2, forward: 0)
        case KeyCode.right: camera.pan(right: 2, forward: 0)
        case KeyCode.up: camera.pan(right: 0, forward: 2)
        case KeyCode.down: camera.pan(right: 0, forward: -2)
        case KeyCode.f1 + 4: save(now: now)
        case KeyCode.f1 + 8: load(now: now)
        case KeyCode.f12: pendingScreenshot = true
        case KeyCode.enter:
            // Keyboard building: the selected tool at the centre of the view.
            let target = camera.target
            let tile = (Int(target.x), Int(target.z))
            if view.map.contains(tile.0, tile.1) { commit(tiles: [tile], now: now) }
        default: break
        }
    }

    public var pendingScreenshot = false
    /// False once the pointer has left the window, so that edge scrolling stops there.
    public internal(set) var pointerInWindow = true

    /// Pans the map while the pointer rests at the window's edge (settings.toml `edge_scrolling`):
    /// about 12 tiles a second, whatever the frame rate. `size` in canvas units.
    public func edgeScroll(size: (width: Int, height: Int), seconds: Double) {
        guard settings.edgeScrolling, pointerInWindow, !menuOpen, !leftDown, rightDrag == nil else { return }
        let margin = 6, step = Float(12 * min(0.25, seconds))
        var right: Float = 0, forward: Float = 0
        if mouse.x <= margin { right = -step } else if mouse.x >= size.width - 1 - margin { right = step }
        if mouse.y <= margin { forward = step } else if mouse.y >= size.height - 1 - margin { forward = -step }
        if right != 0 || forward != 0 { camera.pan(right: right, forward: forward) }
    }

    func runMenuItem(_ item: String, now: Double) {
        switch item {
        case "menu.resume": menuOpen = false
        case "menu.new":
            city = City(level: level, catalog: catalog)
            scriptAttacher?(level, city)
            undoStack = []
            redoStack = []
            staticDirty = true
            menuOpen = false
            Briefing.reset(self)
        case "menu.save": save(now: now); menuOpen = false
        case "menu.load": load(now: now); menuOpen = false
        case "menu.saves": SaveBrowser.open(self)
        case "menu.settings": SettingsScreen.open(self)
        case "menu.language": SettingsScreen.change("language", by: 1, session: self, now: now)
        case "menu.levels": openLevelPicker()
        case "menu.summary": LessonEndScreen.open(self)
        case "menu.editor": Editor.open(self, now: now)
        case "menu.quit": quitRequested = true
        default: break
        }
    }

    /// Opens the level picker (the menu's Levels, and the end-of-lesson screen's), on the
    /// level being played when it is listed.
    func openLevelPicker() {
        levelChoices = LevelPicker.choices(levelPicker, catalog: catalog)
        let current = (level.file as NSString).standardizingPath
        levelIndex = levelChoices.firstIndex { ($0.path as NSString).standardizingPath == current } ?? 0
        levelPicker.typedPath = ""
        levelPicker.message = nil
        pickingLevel = true
    }

    /// Starts a new game on the level at `path` (from the picker, or a reload); on a problem, the
    /// game goes on and the problem (the first error) is returned, and noticed unless `quietly`.
    @discardableResult
    func start(levelAt path: String, now: Double, quietly: Bool = false) -> String? {
        let result = LevelFile.load(path: path, catalog: catalog)
        guard let next = result.level else {
            if !quietly { notify(result.diagnostics.first?.description ?? path, now: now) }
            return (result.diagnostics.first { $0.severity == .error } ?? result.diagnostics.first)?.description ?? path
        }
        // The bundled catalog under the new level's own overrides, never the last level's.
        let levelCatalog: Catalog
        do {
            levelCatalog = try Catalog.load(overrideTables: next.catalogOverrides.map { [($0, next.file)] } ?? [])
        } catch {
            if !quietly { notify(error.description, now: now) }
            return error.description
        }
        start(level: next, catalog: levelCatalog)
        return nil
    }

    /// Starts a new game on a level read already. A `preview` (the editor's picture of the
    /// level it edits) runs no script, opens no briefing and keeps the camera.
    func start(level next: LevelDefinition, catalog levelCatalog: Catalog, preview: Bool = false) {
        let started = City(level: next, catalog: levelCatalog)
        if !preview { scriptAttacher?(next, started) }
        begin(level: next, city: started, preview: preview)
    }

    /// Replaces the game with `city` on `level` (a new one, or one loaded from a save): the
    /// toolbar, the undo history, the camera and the open screens start afresh.
    func begin(level next: LevelDefinition, city started: City, preview: Bool = false) {
        level = next
        // The editor's picture of its own level is not offered a reload when the editor saves it.
        levelWatch = preview ? nil : LevelWatch(level: next)
        reloadOffer = nil
        city = started
        tools = availableTools()
        toolIndex = 0
        undoStack = []
        redoStack = []
        staticDirty = true
        let map = view.map
        camera.bounds.maxTarget = Vec3(Float(map.width), 0, Float(map.height))
        if !preview {
            camera.target = Vec3(Float(map.width) / 2, 0, Float(map.height) / 2)
            camera.distance = min(72, max(12, Float(max(map.width, map.height)) * 0.9))
        }
        camera.clamp()
        pickingLevel = false
        menuOpen = false
        if preview { briefing.isOpen = false } else { Briefing.reset(self) }
    }

    /// The tile under a pixel, or nil (off the map, or over a panel).
    public func tileAt(x: Int, y: Int, size: (width: Int, height: Int)) -> (Int, Int)? {
        guard !HUD.isOverPanel(x: x, y: y, session: self, size: size) else { return nil }
        guard let point = camera.groundPoint(x: Float(x), y: Float(y), width: size.width, height: size.height) else { return nil }
        let tile = (Int(floor(point.x)), Int(floor(point.z)))
        return view.map.contains(tile.0, tile.1) ? tile : nil
    }

    /// Tiles a drag covers: a straight line along the longer axis for roads, a filled rectangle
    /// for zones and buildings.
    static func paintPath(from a: (Int, Int), to b: (Int, Int), straightLine: Bool) -> [(Int, Int)] {
        if straightLine {
            if abs(b.0 - a.0) >= abs(b.1 - a.1) {
                return stride(from: a.0, through: b.0, by: b.0 >= a.0 ? 1 : -1).map { ($0, a.1) }
            }
            return stride(from: a.1, through: b.1, by: b.1 >= a.1 ? 1 : -1).map { (a.0, $0) }
        }
        var tiles: [(Int, Int)] = []
        for y in min(a.1, b.1)...max(a.1, b.1) { for x in min(a.0, b.0)...max(a.0, b.0) { tiles.append((x, y)) } }
        return Array(tiles.prefix(400))
    }

    /// The command the current tool makes at a tile, or nil for the inspect tool.
    func command(at tile: (Int, Int)) -> CityCommand? {
        let name = tool
        if name == "select" { return nil }
        if name == "demolish" { return .demolish(x: tile.0, y: tile.1) }
        if let upgrade = UpgradeKind.allCases.first(where: { $0.key == name }) { return .upgrade(upgrade, x: tile.0, y: tile.1) }
        guard var structure = Structure.named(name) else { return nil }
        if case .building(let kind, _) = structure { structure = .building(kind, density: 0.5) }
        return .build(structure, x: tile.0, y: tile.1)
    }

    /// What the current tool would do on each tile of the drag, or on the tile under the cursor:
    /// for a build, the build command's own check (`City.checkBuild`, with what the drag's earlier
    /// tiles spend), so the ghost never disagrees with the outcome; its cost (yuan) and
    /// construction carbon (tCO2e) when it would be done.
    public func ghost() -> [(tile: (x: Int, y: Int), refusal: Refusal?, cost: Double, tonnes: Double)] {
        guard tool != "select" else { return [] }
        let tiles: [(Int, Int)] = dragTiles.isEmpty ? (hoverTile.map { [($0.x, $0.y)] } ?? []) : dragTiles
        let map = view.map
        var spent = 0.0
        return tiles.compactMap { tile in
            guard let command = command(at: tile) else { return nil }
            switch command {
            case .build(let structure, let x, let y):
                let check = city.checkBuild(structure, x: x, y: y, spentBefore: spent)
                if check.refusal == nil { spent += check.cost }
                let terrain = map.contains(x, y) ? map.terrain[map.index(x, y)] : .land
                return ((x, y), check.refusal, check.refusal == nil ? check.cost : 0,
                        check.refusal == nil ? City.constructionTonnes(structure, on: terrain, catalog: catalog) : 0)
            case .demolish(let x, let y):
                return ((x, y), map.contains(x, y) && map.structure[map.index(x, y)] == .none ? .nothingToDemolish : nil, 0, 0)
            default:
                // Upgrades: checked when applied (what fits depends on the building there).
                return ((tile.0, tile.1), map.contains(tile.0, tile.1) && map.structure[map.index(tile.0, tile.1)] == .entity ? nil : .nothingToUpgrade, 0, 0)
            }
        }
    }

    /// What the drag would cost, yuan: the tiles it would build.
    public var dragCost: Double { ghost().reduce(0) { $0 + $1.cost } }

    func commit(tiles: [(Int, Int)], now: Double) {
        if tool == "select" {
            selectedTile = tiles.last
            return
        }
        let commands = tiles.compactMap { command(at: $0) }
        guard !commands.isEmpty else { return }
        let indices = commands.map { city.submit($0) }
        undoStack.append(indices)
        if indices.count > 1 { dragSummary = (Set(indices), tool, 0, []) }
        redoStack.removeAll()
        if paused { city.applyPendingCommands() }
    }

    // MARK: - [SECTION] Undo and redo

    /// Undoes the last action: one `.undo` command for each of its commands that succeeded,
    /// newest first. Each is the exact inverse of what that command did (CitySim checks it), and
    /// is recorded in the replay like any other command.
    public func undo() {
        guard let indices = undoStack.popLast() else { return }
        if paused { city.applyPendingCommands() }
        let log = view.commandLog
        let done = indices.filter { log.indices.contains($0) && log[$0].outcome.succeeded }
        for index in done.reversed() { city.submit(.undo(index: index)) }
        redoStack.append(done.map { log[$0].command })
        if paused { city.applyPendingCommands() }
    }

    public func redo() {
        guard let commands = redoStack.popLast() else { return }
        undoStack.append(commands.map { city.submit($0) })
        if paused { city.applyPendingCommands() }
    }

    // MARK: - [SECTION] Save, load

    public func save(now: Double) {
        do {
            try write(to: savePath)
            notify(strings["menu.saved"] + ": " + savePath, now: now)
        } catch {
            notify("\(error)", now: now)
        }
    }

    /// Where named saves go: `saves/` in the data directory, or the quick save's folder.
    public var savesDirectory: String {
        if let dataDirectory { return dataDirectory + "/saves" }
        let beside = (savePath as NSString).deletingLastPathComponent
        return beside.isEmpty ? "." : beside
    }

    /// Saves into the slot `name` (SaveBrowser.swift); false, with a notice, when it could not.
    @discardableResult
    public func save(named name: String, now: Double) -> Bool {
        let path = SaveSlots.path(for: name, in: savesDirectory)
        do {
            try write(to: path, cityName: name)
            notify(strings["menu.saved"] + ": " + name, now: now)
            return true
        } catch {
            notify("\(error)", now: now)
            return false
        }
    }

    /// Writes a save (with the level script's state, the level's id and content hash) and, beside
    /// it, the replay log of the player's commands so far (`….replay`) and a thumbnail of the map
    /// (`….png`), each atomically: a failed write leaves the previous file whole.
    func write(to path: String, cityName: String? = nil) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileSystem.makeDirectory(directory.isEmpty ? "." : directory)
        try city.save(to: path, metadata: SaveMetadata(levelFile: level.file, scriptState: city.script?.saveState(),
                                                       levelHash: ReplayLog.levelHash(of: level), cityName: cityName))
        try FileSystem.writeAtomically(replay.text, to: (path as NSString).deletingPathExtension + ".replay")
        try SaveSlots.thumbnail(of: view).writePNG(to: (path as NSString).deletingPathExtension + ".png", compression: .stored)
    }

    /// The player's commands so far, with the level's hash and the player's name.
    public var replay: ReplayLog {
        ReplayLog(city: city, levelHash: ReplayLog.levelHash(of: level), mods: level.mods.map { ($0.id, $0.version) },
                  player: settings.player.isEmpty ? nil : settings.player)
    }

    /// This level's autosave in a rotating slot (0…2): `LEVEL-ID.autosave-N.nzsave` under the
    /// data directory, or beside the quick save; each level has its own files.
    public func autosavePath(slot: Int) -> String {
        let directory = dataDirectory ?? {
            let beside = (savePath as NSString).deletingLastPathComponent
            return beside.isEmpty ? "." : beside
        }()
        return GameSettings.autosavePath(levelID: view.level.id, slot: slot, dataDirectory: directory)
    }

    /// Saves every `settings.autosaveMonths` game months (at the start of a month; never for 0)
    /// into one of the level's three rotating autosave files (written atomically).
    func autosaveIfNewYear(now: Double) {
        let clock = view.clock
        let months = settings.autosaveMonths
        guard months > 0, clock.isNewDay, clock.date.day == 1, clock.tick > 0 else { return }
        let monthIndex = clock.year * 12 + clock.month - 1
        guard monthIndex % months == 0 else { return }
        let path = autosavePath(slot: (monthIndex / months) % 3)
        do {
            try write(to: path)
            notify(strings["menu.saved"] + ": " + path, now: now)
        } catch {
            notify("\(error)", now: now)
        }
    }

    /// Loads the quick save; on any problem the running game is left as it was.
    public func load(now: Double) { load(from: savePath, now: now) }

    /// Loads a save with its own level (SaveLevel.swift): the level it names by id and content
    /// hash, found among the shipped, the player's and the mods' levels, its catalog and its
    /// script with the saved state. On any problem the running game is left as it was and a
    /// notice says why; false then.
    @discardableResult
    public func load(from path: String, now: Double) -> Bool {
        do {
            let header = try SaveGame.readHeader(from: path)
            let located: SaveLevel.Located
            if header.levelID == level.setup.info.id, header.matches(catalog),
               header.levelHash == nil || header.levelHash == ReplayLog.levelHash(of: level) {
                // A save of the level being played (the quick save, or a level with no file).
                located = SaveLevel.Located(level: level, catalog: catalog, warning: nil)
            } else {
                let listings = LevelIndex.list(userLevels: levelPicker.userLevels, userMods: levelPicker.userMods).levels
                located = try SaveLevel.locate(header, listings: listings, base: try Catalog.load())
            }
            let loaded = try SaveGame.load(from: path, catalog: located.catalog)
            if let state = loaded.scriptState, located.level.script != nil {
                // The level's script carries on in the loaded game with its saved state.
                try scriptResumer?(located.level, loaded.city, state)
            }
            begin(level: located.level, city: loaded.city)
            notify(strings["menu.loaded"] + ": " + (header.cityName ?? path), now: now)
            if let warning = located.warning { notify(strings.name(warning), now: now, seconds: 12) }
            return true
        } catch let problem as SaveLevel.Problem {
            notify(strings.name(problem.text), now: now, seconds: 12)
        } catch {
            notify("\(error)", now: now, seconds: 8)
        }
        return false
    }
}
