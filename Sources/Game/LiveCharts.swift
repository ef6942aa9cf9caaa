// LiveCharts.swift — the report's charts of the live city, as textures: the HUD's charts panel (C)
// and the end-of-lesson screen draw the same charts the educator's report prints (ReportCharts),
// rasterised on the CPU and uploaded again only when the size, the language, the hour or the
// command log changes. One chart code for the game and the report.
import CitySim
import Locale
import Raster
import Render
import Report

final class LiveCharts {
    enum Kind { case emissionsBySector, removalsAndNet, gridMix, objectives }

    private var textures: [Texture] = []
    private var key = ""
    private var painter: TextPainter?

    /// One texture for each (kind, width, height), drawn from the live city's series.
    func textures(_ session: GameSession, charts: [(kind: Kind, width: Int, height: Int)], font: Font) -> [Texture] {
        let charts = charts.filter { $0.width > 0 && $0.height > 0 }
        let key = "\(charts.map { "\($0.kind)-\($0.width)x\($0.height)" })-\(session.strings.language.rawValue)-\(ReportColors.colourBlindSafe)"
            + "-\(session.view.clock.tick)-\(session.view.commandLog.count)"
        if key == self.key { return textures }
        if painter == nil { painter = try? TextPainter(fontPath: font.path) }
        guard let painter else { return [] }
        let series = LessonEndScreen.series(session)
        let strings = session.strings
        let images: [Image] = charts.map { chart in
            switch chart.kind {
            case .emissionsBySector: return ReportCharts.emissionsBySector(series, strings: strings, painter: painter, width: chart.width, height: chart.height).image
            case .removalsAndNet: return ReportCharts.removalsAndNet(series, strings: strings, painter: painter, width: chart.width, height: chart.height).image
            case .gridMix: return ReportCharts.gridMix(series, strings: strings, painter: painter, width: chart.width, height: chart.height).image
            case .objectives: return ReportCharts.objectives(series, strings: strings, painter: painter, width: chart.width, height: chart.height).image
            }
        }
        for (i, image) in images.enumerated() {
            if i < textures.count { textures[i].update(image) } else { textures.append(Texture(image)) }
        }
        textures.removeLast(max(0, textures.count - images.count))
        self.key = key
        return textures
    }
}
