// Screens.swift — every screen and panel of the game by name, for `netzero shot --screen NAME`
// (docs/screenshots/) and the tests that open them all.
import CitySim

public enum Screens {
    public static let names = ["map", "menu", "levels", "saves", "settings", "name", "briefing", "summary", "charts", "inspector", "forecast", "yearly"]
        + CarbonPanel.allCases.map(\.rawValue)

    /// Opens the screen `name` over the game; false for an unknown name, or a screen the level
    /// has not (a briefing outside a lesson).
    @discardableResult
    public static func open(_ name: String, session: GameSession) -> Bool {
        // Any other screen than the lesson's briefing card is shown without it.
        if name != "map" && name != "briefing" { session.briefing.isOpen = false }
        switch name {
        case "map": return true
        case "menu": session.menuOpen = true
        case "levels": session.menuOpen = true; session.openLevelPicker()
        case "saves": session.menuOpen = true; SaveBrowser.open(session)
        case "settings": session.menuOpen = true; SettingsScreen.open(session)
        case "name": session.namePrompt.isOpen = true
        case "briefing":
            guard Briefing.isLesson(session.level) else { return false }
            if !session.briefing.isOpen { Briefing.open(session) }
        case "summary": LessonEndScreen.open(session)
        case "charts": session.showCharts = true
        case "forecast": ForecastPanel.startAndWait(session)
        case "yearly":
            // The card of the first closed year, as 1 January shows it.
            for _ in 0..<400 where session.view.ledger.years.isEmpty { session.city.run(hours: 24) }
            guard let summary = YearSummary(view: session.view) else { return false }
            session.yearlyCard.summary = summary
        case "inspector":
            // A structure with flows booked this year shows what the inspector is for: factors and sources.
            let view = session.view, map = view.map
            let entities = (0..<map.tileCount).filter { map.structure[$0] == .entity }
            guard let tile = entities.first(where: { view.breakdown(map.occupant[$0])?.thisYear.isEmpty == false }) ?? entities.first
            else { return false }
            session.selectedTile = (tile % map.width, tile / map.width)
        default:
            guard let panel = CarbonPanel(rawValue: name) else { return false }
            session.panels.show(panel)
        }
        return true
    }
}
