// InfoViewTests — the overlays read as information: a diverging net balance, air quality as good
// or bad around the interim target, legends with numbers and units in both languages, nothing
// painted "low" that has no value, and markers over structures without a road or power.
import CitySim
import ECS
import Foundation
import Game
import Locale
import Render
import Testing

@Suite("Info views")
struct InfoViewTests {
    @Test func theNetBalanceDivergesFromANeutralZero() {
        let sink = Palette.diverging(-1), zero = Palette.diverging(0), source = Palette.diverging(1)
        #expect(sink.z > sink.x + 0.3, "sinks are blue: \(sink)")
        #expect(source.x > source.z + 0.3, "sources are orange: \(source)")
        #expect(abs(zero.x - zero.y) < 0.05 && abs(zero.y - zero.z) < 0.08, "zero is grey: \(zero)")
        // On a field with a source and a sink, each tile takes its side's hue, and an empty tile is neutral.
        let field = OverlayField(overlay: .net, values: [500, -80, 0], low: -80, high: 500, unit: "tCO2e")
        #expect(field.color(0) == Palette.diverging(field.signed(0)) && field.signed(0) > 0.9)
        #expect(field.signed(1) < -0.5 && field.color(1).z > field.color(1).x)
        #expect(field.color(2) == zero)
    }

    @Test func legendsCarryNumbersAndUnitsInBothLanguages() {
        let emissions = OverlayField(overlay: .emissions, values: [0, 12, 999], low: 0, high: 999, unit: "tCO2e")
        let en = HUD.legend(emissions, strings: Strings(language: .en))
        #expect(en.title == "Emissions this year, t CO2e this year")
        #expect(en.stops.map(\.label) == ["0", "31", "999"], "\(en.stops)")
        var air = OverlayField(overlay: .air, values: [8, 60], low: 8, high: 60, unit: "µg/m³")
        air.interim = 35
        let enAir = HUD.legend(air, strings: Strings(language: .en))
        #expect(enAir.title.contains("µg/m³") && enAir.stops.map(\.label) == ["good", "35: WHO interim target 1", "bad"], "\(enAir)")
        #expect(air.airPosition(8) < 0 && air.airPosition(60) > 0, "below the interim target reads good, above it bad")
        let net = OverlayField(overlay: .net, values: [-120, 3400], low: -120, high: 3400, unit: "tCO2e")
        let enNet = HUD.legend(net, strings: Strings(language: .en))
        #expect(enNet.stops.first?.label.hasSuffix("sink") == true && enNet.stops.last?.label.hasPrefix("+3,400") == true, "\(enNet)")
        for field in [emissions, air, net, OverlayField(overlay: .power, values: [1], low: 0, high: 1, unit: "share"),
                      OverlayField(overlay: .traffic, values: [0, 4000], low: 0, high: 4000, unit: "vehicles/day")] {
            let zh = HUD.legend(field, strings: Strings(language: .zh))
            for text in [zh.title] + zh.stops.map(\.label) {
                #expect(englishWords(in: text).isEmpty && !text.contains("legend."), "\(field.overlay): \(text)")
            }
        }
    }

    @Test func waterAndEmptyLandAreNotPaintedLow() throws {
        let level = pondLevel()
        let city = City(level: level, catalog: catalog)
        city.run(hours: 30)
        let map = city.view.map
        for overlay in [Overlay.traffic, .air, .emissions, .removals, .net, .power] {
            let field = OverlayField.compute(overlay, view: city.view)
            #expect(SceneBuilder.groundColor(0, 6, map: map, overlay: field) == SceneBuilder.groundColor(0, 6, map: map, overlay: nil),
                    "\(overlay): water keeps its colour")
            if overlay != .air {
                #expect(SceneBuilder.groundColor(8, 9, map: map, overlay: field) == SceneBuilder.groundColor(8, 9, map: map, overlay: nil),
                        "\(overlay): empty land keeps its colour")
            }
        }
        // Traffic colours the roads it is about.
        var flows = [Double](repeating: 0, count: map.tileCount)
        flows[map.index(5, 4)] = 4000
        let traffic = OverlayField(overlay: .traffic, values: flows, low: 0, high: 4000, unit: "vehicles/day")
        #expect(SceneBuilder.groundColor(5, 4, map: map, overlay: traffic) == Palette.viridis(1), "a busy road takes the top of the scale")
        #expect(SceneBuilder.groundColor(8, 9, map: map, overlay: traffic) == SceneBuilder.groundColor(8, 9, map: map, overlay: nil),
                "land with no road has no traffic figure: its own colour, not the scale's low end")
    }

    @Test func markersShowStructuresWithoutARoad() throws {
        let level = pondLevel()
        let city = City(level: level, catalog: catalog)
        city.submit(.build(.building(.residential, density: 0.5), x: 14, y: 11))  // far from the road on row 4
        city.submit(.build(.building(.residential, density: 0.5), x: 6, y: 5))    // beside it
        city.run(hours: 2)
        let markers = SceneBuilder.markers(view: city.view)
        #expect(markers.contains { $0.x == 14 && $0.y == 11 && $0.marker == .noRoad }, "\(markers)")
        #expect(!markers.contains { $0.x == 6 && $0.y == 5 && $0.marker == .noRoad }, "\(markers)")
        let instances = SceneBuilder.staticInstances(view: city.view, overlay: nil)
        #expect(instances.contains { $0.color == Instance(position: .zero, color: Palette.markerNoRoad).color && abs($0.position.x - 14.5) < 0.01 && abs($0.position.z - 11.5) < 0.01 })
    }
}

@Suite("Demand bars")
struct DemandTests {
    @Test func theBarsAreTheModelsFigures() throws {
        let level = pondLevel()
        let city = City(level: level, catalog: catalog)
        city.run(hours: 49)
        let stats = city.view.stats
        let bars = HUD.demand(city.view, strings: Strings(language: .en))
        #expect(bars.map(\.key) == ["homes", "jobs", "power", "transit"])
        let pull = Economy.migrationPull(stats, catalog: catalog)
        #expect(bars[0].value == pull.rate / catalog.economy.growthRateMax)
        #expect(bars[2].value == max(0, 1 - stats.reliability))
        #expect(bars[3].value == stats.meanCommuteMinutes / (30 + stats.meanCommuteMinutes))
        #expect(bars.allSatisfy { $0.value >= -1 && $0.value <= 1 })
        // Homes with no jobs: the jobs bar asks for jobs (residents out of work, no vacancies).
        #expect(stats.population > 0 && stats.jobs == 0)
        #expect(bars[1].value > 0, "\(bars[1])")
        for bar in HUD.demand(city.view, strings: Strings(language: .zh)) {
            #expect(englishWords(in: bar.detail).isEmpty && !bar.detail.contains("{"), "\(bar.detail)")
        }
    }
}
