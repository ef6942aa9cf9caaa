// PaletteTests — every legend's colours stay apart for players with deuteranopia or protanopia.
//
// Each colour is simulated with the Machado, Oliveira & Fernandes (2009) model at severity 1.0
// (the paper's matrices, applied to linear sRGB), then converted to CIELAB (D65) and compared with
// CIEDE2000 (Sharma, Wu & Dalal 2005's formulation). Every pair of colours in a legend must differ
// by at least `minimumDeltaE` in normal vision and in both simulations (docs/sources.md).
import CitySim
import Foundation
@testable import Game
import Raster
import Render
import Report
import Testing

enum ColourVision: String, CaseIterable {
    case normal, deuteranopia, protanopia

    /// Machado et al. 2009, Table 1 (severity 1.0), on linear RGB.
    var matrix: [[Double]]? {
        switch self {
        case .normal: return nil
        case .protanopia: return [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
        case .deuteranopia: return [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
        }
    }

    static func linear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }

    /// CIELAB (D65) of an sRGB colour (0…1 channels) as seen with this vision.
    func lab(_ rgb: (Double, Double, Double)) -> (l: Double, a: Double, b: Double) {
        var l = [ColourVision.linear(rgb.0), ColourVision.linear(rgb.1), ColourVision.linear(rgb.2)]
        if let m = matrix { l = m.map { row in min(1, max(0, row[0] * l[0] + row[1] * l[1] + row[2] * l[2])) } }
        let x = 0.4124564 * l[0] + 0.3575761 * l[1] + 0.1804375 * l[2]
        let y = 0.2126729 * l[0] + 0.7151522 * l[1] + 0.0721750 * l[2]
        let z = 0.0193339 * l[0] + 0.1191920 * l[1] + 0.9503041 * l[2]
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        let fx = f(x / 0.95047), fy = f(y / 1.0), fz = f(z / 1.08883)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }
}

/// CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), kL = kC = kH = 1.
func deltaE2000(_ p: (l: Double, a: Double, b: Double), _ q: (l: Double, a: Double, b: Double)) -> Double {
    let deg = Double.pi / 180
    let c1 = hypot(p.a, p.b), c2 = hypot(q.a, q.b), cBar = (c1 + c2) / 2
    let g = 0.5 * (1 - sqrt(pow(cBar, 7) / (pow(cBar, 7) + pow(25, 7))))
    let a1 = (1 + g) * p.a, a2 = (1 + g) * q.a
    let c1p = hypot(a1, p.b), c2p = hypot(a2, q.b)
    func hue(_ b: Double, _ a: Double) -> Double { (a == 0 && b == 0) ? 0 : { let h = atan2(b, a) / deg; return h < 0 ? h + 360 : h }() }
    let h1 = hue(p.b, a1), h2 = hue(q.b, a2)
    let dL = q.l - p.l, dC = c2p - c1p
    var dh = 0.0
    if c1p * c2p != 0 { dh = h2 - h1; if dh > 180 { dh -= 360 } else if dh < -180 { dh += 360 } }
    let dH = 2 * sqrt(c1p * c2p) * sin(dh / 2 * deg)
    let lBar = (p.l + q.l) / 2, cBarP = (c1p + c2p) / 2
    var hBar = h1 + h2
    if c1p * c2p != 0 {
        if abs(h1 - h2) <= 180 { hBar = (h1 + h2) / 2 } else { hBar = (h1 + h2 + (h1 + h2 < 360 ? 360 : -360)) / 2 }
    }
    let t = 1 - 0.17 * cos((hBar - 30) * deg) + 0.24 * cos(2 * hBar * deg) + 0.32 * cos((3 * hBar + 6) * deg) - 0.20 * cos((4 * hBar - 63) * deg)
    let dTheta = 30 * exp(-pow((hBar - 275) / 25, 2))
    let rc = 2 * sqrt(pow(cBarP, 7) / (pow(cBarP, 7) + pow(25, 7)))
    let sl = 1 + 0.015 * pow(lBar - 50, 2) / sqrt(20 + pow(lBar - 50, 2))
    let sc = 1 + 0.045 * cBarP, sh = 1 + 0.015 * cBarP * t
    let rt = -sin(2 * dTheta * deg) * rc
    return sqrt(pow(dL / sl, 2) + pow(dC / sc, 2) + pow(dH / sh, 2) + rt * (dC / sc) * (dH / sh))
}

/// The smallest CIEDE2000 difference between two colours of `colours` with `vision`, and the pair.
func closestPair(_ colours: [(name: String, rgb: (Double, Double, Double))], vision: ColourVision) -> (deltaE: Double, pair: String) {
    var best = (Double.infinity, "")
    for i in colours.indices {
        for j in colours.indices where j > i {
            let d = deltaE2000(vision.lab(colours[i].rgb), vision.lab(colours[j].rgb))
            if d < best.0 { best = (d, "\(colours[i].name)/\(colours[j].name)") }
        }
    }
    return best
}

func rgb(_ v: Vec4) -> (Double, Double, Double) { (Double(v.x), Double(v.y), Double(v.z)) }
func rgb(_ c: RGBA8) -> (Double, Double, Double) { (Double(c.r) / 255, Double(c.g) / 255, Double(c.b) / 255) }

/// Every legend of the game's overlays and charts, in the default or the colour-blind-safe palette.
/// Overlay legends are sampled at their two ends, their middle and the quarters.
func legends(safe: Bool) -> [(name: String, colours: [(name: String, rgb: (Double, Double, Double))])] {
    let stops = [0.0, 0.25, 0.5, 0.75, 1.0]
    return [
        ("sequential overlays", stops.map { ("\($0)", rgb(Palette.viridis($0))) }),
        ("net balance", stops.map { ("\($0)", rgb(Palette.diverging(2 * $0 - 1))) }),
        ("air quality", stops.map { ("\($0)", rgb(Palette.airQuality(2 * $0 - 1, safe: safe))) }),
        ("markers", [("no power", rgb(Palette.markerNoPower)), ("no road", rgb(Palette.markerNoRoad))]),
        ("ghost", [("allowed", rgb(Palette.ghostAllowed)), ("refused", rgb(Palette.ghostRefused))]),
        ("sectors", Sector.allCases.map { ("\($0)", rgb(ReportColors.sector($0, safe: safe))) }),
        ("power plants", PlantKind.allCases.map { ("\($0)", rgb(ReportColors.plant($0, safe: safe))) }),
        ("budget", [("balance", rgb(ReportColors.balance)), ("income", rgb(ReportColors.income(safe: safe))), ("spending", rgb(ReportColors.spending(safe: safe)))]),
        ("objective status", [("met", rgb(ReportColors.met)), ("failed", rgb(ReportColors.failed)), ("pending", rgb(ReportColors.pending))]),
        ("removals and net", [("removals", rgb(ReportColors.removals)), ("emissions", rgb(ReportColors.emissionsContext)), ("net", rgb(ReportColors.net))]),
    ]
}

@Suite("Colour-blind palette (Machado 2009, CIEDE2000)")
struct PaletteTests {
    /// ≥ 10 ΔE00: a difference of about 1 is just noticeable side by side, and colours that must be
    /// told apart across a chart, in small patches, need several times that (docs/sources.md).
    static let minimumDeltaE = 10.0

    @Test func theCIEDE2000ImplementationMatchesSharmasTestData() {
        // Sharma, Wu & Dalal (2005), Table 1, pairs 1, 7 and 17.
        #expect(abs(deltaE2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) - 2.0425) < 1e-4)
        #expect(abs(deltaE2000((50, 0, 0), (50, -1, 2)) - 2.3669) < 1e-4)
        #expect(abs(deltaE2000((50, 2.5, 0), (73, 25, -18)) - 27.1492) < 1e-4)
    }

    @Test func theSimulationTurnsRedAndGreenAlikeForADeuteranope() {
        let red = (0.8, 0.2, 0.2), green = (0.45, 0.45, 0.1)
        let normal = deltaE2000(ColourVision.normal.lab(red), ColourVision.normal.lab(green))
        let deutan = deltaE2000(ColourVision.deuteranopia.lab(red), ColourVision.deuteranopia.lab(green))
        #expect(normal > 30)
        #expect(deutan < normal / 2, "\(normal) → \(deutan)")
    }

    @Test(arguments: [false, true])
    func everyLegendStaysApartWithDeuteranopiaAndProtanopia(colourBlindSafe: Bool) {
        var lines: [String] = []
        var failures: [String] = []
        for legend in legends(safe: colourBlindSafe) {
            for vision in ColourVision.allCases {
                let (deltaE, pair) = closestPair(legend.colours, vision: vision)
                lines.append("\(legend.name) \(vision.rawValue): min ΔE00 \(String(format: "%.1f", deltaE)) (\(pair))")
                if deltaE < PaletteTests.minimumDeltaE { failures.append(lines.last!) }
            }
        }
        print((["palette colourBlindSafe=\(colourBlindSafe)"] + lines).joined(separator: "\n"))
        if colourBlindSafe { #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))") }
    }
}
