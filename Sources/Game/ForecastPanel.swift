// ForecastPanel.swift — the Forecast button (F) and its chart: the city projected to 2060 under
// its current policies (CitySim/Forecast.swift), computed on a background thread while the game
// runs on, filled in year by year as dashed lines (Report/ForecastChart.swift).
//
// The city's save bytes are taken on the game's thread (plain bytes, Sendable); the copy is built
// from them on the forecast's own thread, which alone owns it, and hands back plain values
// (`ForecastYear`). A build, a policy or any other command makes the forecast stale: it is
// stopped, and the panel offers to run it again.
import CitySim
import Foundation
import Locale
import Raster
import Render
import Report

/// One forecast running (or run) on its own thread.
final class ForecastJob: @unchecked Sendable {
    private let lock = NSLock()
    private var projected: [ForecastYear] = []
    private var finished: ForecastResult?
    private var stopRequested = false
    private var failed: String?
    let toYear: Int

    init(seed: ForecastSeed, options: ForecastOptions) {
        toYear = options.toYear
        let thread = Thread { [self] in
            // Below the game's threads (the window, llvmpipe's rasterisers): on two cores the
            // frames come first, the forecast takes what they leave (nice 10 for this thread only).
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)  // on Linux, the calling thread
            do {
                let result = try seed.run(options) { year in
                    self.lock.lock()
                    defer { self.lock.unlock() }
                    self.projected.append(year)
                    return !self.stopRequested
                }
                self.lock.lock()
                self.finished = result
                self.lock.unlock()
            } catch {
                self.lock.lock()
                self.failed = "\(error)"
                self.lock.unlock()
            }
        }
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// Asks the thread to stop after the year it is projecting.
    func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    /// The years projected so far, the whole result once the thread is done, and any failure.
    var state: (years: [ForecastYear], result: ForecastResult?, failure: String?) {
        lock.lock()
        defer { lock.unlock() }
        return (projected, finished, failed)
    }
}

/// What the session remembers of the forecast.
final class ForecastState {
    var job: ForecastJob?
    /// The command log's length and the city when the job started: a command since makes it stale.
    var commandCount = 0
    var city: ObjectIdentifier?
    var isStale = false
    var isVisible = false
    /// The chart's texture and what it was drawn from.
    private var texture: Texture?
    private var key = ""
    private var painter: TextPainter?

    /// The chart as a texture, drawn again only when its content or size changes.
    func chart(_ session: GameSession, width: Int, height: Int, fontPath: String) -> Texture? {
        guard let job, width > 0, height > 0 else { return nil }
        let state = job.state
        let status = ForecastPanel.status(session, job: job, state: state, stale: isStale)
        let key = "\(width)x\(height)-\(state.years.count)-\(state.result != nil)-\(status)-\(session.strings.language.rawValue)"
        if key == self.key, let texture { return texture }
        if painter == nil { painter = try? TextPainter(fontPath: fontPath) }
        guard let painter else { return nil }
        let series = LessonEndScreen.series(session)
        let lived = series.years.filter { !$0.partial }.map { row in
            ForecastYear(year: row.year, grossT: row.net + row.removals, removalsT: row.removals, netT: row.net, gridFactor: row.gridFactor,
                         budgetYuan: row.budget ?? session.view.budget.balance, population: row.population ?? 0,
                         simulatedDays: 0, days: 0)
        }
        let milestones = state.result.map { ($0.peakYear, $0.netZeroYear) }
            ?? { let m = ForecastResult.milestones((lived + state.years).map { ($0.year, $0.netT) }); return (m.peak, m.netZero) }()
        let image = ForecastChart.draw(lived: lived, projected: state.years, peakYear: milestones.0, netZeroYear: milestones.1,
                                       toYear: job.toYear, status: status, strings: session.strings, painter: painter, width: width, height: height)
        if let texture { texture.update(image) } else { texture = Texture(image) }
        self.key = key
        return texture
    }
}

extension GameSession {
    /// Starts the forecast as F does (`netzero bench pace --forecast` measures the frames beside it).
    public func startForecast() { ForecastPanel.start(self) }
    /// Whether a forecast is running.
    public var forecastRunning: Bool { forecast.job.map { $0.state.result == nil && $0.state.failure == nil } ?? false }
}

enum ForecastPanel {
    /// F, or the button: stops a running forecast, otherwise starts one from the present.
    static func toggle(_ session: GameSession) {
        let state = session.forecast
        if let job = state.job, job.state.result == nil, job.state.failure == nil, !state.isStale {
            job.stop()
            state.job = nil
            state.isVisible = false
            return
        }
        start(session)
    }

    static func start(_ session: GameSession) {
        let state = session.forecast
        state.job?.stop()
        // Saving the copy finishes a tick under way, as any save does: the same bytes either way.
        guard let seed = try? ForecastSeed(of: session.city) else { return }
        state.job = ForecastJob(seed: seed, options: ForecastOptions())
        state.commandCount = session.view.commandLog.count
        state.city = ObjectIdentifier(session.city)
        state.isStale = false
        state.isVisible = true
    }

    /// Starts a forecast and waits for it to finish (`netzero shot --screen forecast`, tests).
    static func startAndWait(_ session: GameSession) {
        start(session)
        while let job = session.forecast.job, job.state.result == nil, job.state.failure == nil { usleep(20_000) }
    }

    /// A command since the forecast started (a build, a policy), or another city: the forecast is stale.
    static func checkStale(_ session: GameSession) {
        let state = session.forecast
        guard let job = state.job, !state.isStale else { return }
        if state.city != ObjectIdentifier(session.city) || session.view.commandLog.count != state.commandCount {
            job.stop()
            state.isStale = true
        }
    }

    /// A forecast that could not finish, in the player's language around the error's own words.
    static func failureStatus(_ failure: String, strings: Strings) -> String {
        strings.fill("forecast.failed", ["reason": failure])
    }

    static func status(_ session: GameSession, job: ForecastJob, state: (years: [ForecastYear], result: ForecastResult?, failure: String?),
                       stale: Bool) -> String {
        let s = session.strings
        if stale { return s["forecast.stale"] }
        if let failure = state.failure { return failureStatus(failure, strings: s) }
        if let result = state.result, let first = result.years.first, let last = result.years.last {
            var text = s.fill("forecast.done", ["first": String(first.year), "last": String(last.year)])
            if result.peakYear == nil { text += " · " + s.fill("forecast.no_peak", ["year": String(job.toYear)]) }
            if result.netZeroYear == nil { text += " · " + s.fill("forecast.no_net_zero", ["year": String(job.toYear)]) }
            return text
        }
        return s.fill("forecast.running", ["year": String((state.years.last?.year ?? session.view.clock.year - 1) + 1)])
    }

    /// The button beside the panels' buttons, and the chart panel when it is shown.
    static func draw(_ ui: PanelUI, buttonRect: PanelRect, size: (width: Int, height: Int)) {
        let session = ui.session
        checkStale(session)
        let state = session.forecast
        let running = state.job.map { $0.state.result == nil && $0.state.failure == nil } ?? false
        let label = state.isStale ? ui.s["forecast.again"] : running && !state.isStale ? ui.s["forecast.cancel"] : ui.s["forecast.button"]
        if ui.button(buttonRect, label, id: "forecast.button", active: state.isVisible, style: .bar) { toggle(session) }
        guard state.isVisible, state.job != nil else { return }
        let width = Float(size.width), height = Float(size.height)
        let x = HUD.toolbarWidth + 20, w = width - HUD.toolbarWidth - HUD.panelWidth - 40
        let y = HUD.topBar + 20 + (session.showCharts ? height * 0.5 + 10 : 0)
        let h = min(height * 0.4, buttonRect.y - 8 - y)
        guard w > 120, h > 80 else { return }
        let frame = PanelRect(x: x, y: y, width: w, height: h)
        ui.region(frame)
        ui.canvas.fillRect(x: x, y: y, width: w, height: h, color: HUD.panel)
        if let texture = state.chart(session, width: Int(w - 20), height: Int(h - 20), fontPath: ui.canvas.font.path) {
            ui.canvas.drawImage(texture, x: x + 10, y: y + 10, width: w - 20, height: h - 20)
        }
        if state.isStale, ui.button(PanelRect(x: x + w - 10 - 150 - 32, y: y + 14, width: 150, height: 22), ui.s["forecast.again"],
                                    id: "forecast.again") {
            start(session)
        }
        if ui.button(PanelRect(x: x + w - 10 - 28, y: y + 14, width: 24, height: 22), "×", id: "forecast.close", size: 14) {
            state.job?.stop()
            state.isVisible = false
        }
    }
}
