// Palette.swift — colours for the city and for overlays.
//
// Overlays use viridis (van der Walt & Smith, matplotlib 2015), readable by colour-blind players
// and in greyscale: dark purple for low, yellow for high. Structure colours follow their kind.
import CitySim
import Render

public enum Palette {
    /// The colour-blind-safe palette (settings.toml `colour_blind`, set by `SettingsScreen.apply`;
    /// read on the main thread only, when the scene and the HUD are drawn).
    nonisolated(unsafe) public static var colourBlindSafe = false

    /// Viridis at 9 stops, interpolated.
    static let viridis: [Vec3] = [
        Vec3(0.267, 0.005, 0.329), Vec3(0.283, 0.141, 0.458), Vec3(0.254, 0.265, 0.530), Vec3(0.207, 0.372, 0.553),
        Vec3(0.164, 0.471, 0.558), Vec3(0.128, 0.567, 0.551), Vec3(0.135, 0.659, 0.518), Vec3(0.267, 0.749, 0.441),
        Vec3(0.993, 0.906, 0.144),
    ]

    /// Cividis at 5 stops, from yellow to dark blue.
    static let cividisReversed: [Vec3] = [
        Vec3(0.9957, 0.9092, 0.2177), Vec3(0.7377, 0.6741, 0.4431), Vec3(0.4862, 0.4863, 0.4713), Vec3(0.2573, 0.3113, 0.4319),
        Vec3(0.0, 0.1262, 0.3015),
    ]

    /// Viridis colour of `t` in 0…1.
    public static func viridis(_ t: Double) -> Vec4 {
        let clamped = Float(min(1, max(0, t.isFinite ? t : 0)))
        let position = clamped * Float(viridis.count - 1)
        let i = min(viridis.count - 2, Int(position))
        return Vec4(Vec3.lerp(viridis[i], viridis[i + 1], position - Float(i)), 1)
    }

    /// A diverging scale for −1 … 1: blue (sinks, good air) through a neutral grey at 0 to orange
    /// (sources, bad air); blue against orange stays distinct for colour-blind players.
    public static func diverging(_ t: Double) -> Vec4 {
        let clamped = Float(min(1, max(-1, t.isFinite ? t : 0)))
        let neutral = Vec3(0.86, 0.86, 0.82), blue = Vec3(0.13, 0.40, 0.80), orange = Vec3(0.85, 0.33, 0.05)
        return Vec4(clamped < 0 ? Vec3.lerp(neutral, blue, -clamped) : Vec3.lerp(neutral, orange, clamped), 1)
    }

    /// Air quality, −1 (clean) … 0 (the interim target) … 1 (twice it): teal through pale yellow
    /// to crimson, apart from the blue of water and of the net balance's sinks, and darker as it worsens.
    /// The colour-blind-safe set uses cividis (Nuñez, Anderton & Renslow 2018), reversed: clean air
    /// pale yellow, bad air dark blue, its lightness alone telling them apart (the default's teal
    /// and crimson fall to 4.4 ΔE2000 apart with protanopia).
    public static func airQuality(_ t: Double, safe: Bool = colourBlindSafe) -> Vec4 {
        let clamped = Float(min(1, max(-1, t.isFinite ? t : 0)))
        if safe {
            let position = (clamped + 1) / 2 * Float(cividisReversed.count - 1)
            let i = min(cividisReversed.count - 2, Int(position))
            return Vec4(Vec3.lerp(cividisReversed[i], cividisReversed[i + 1], position - Float(i)), 1)
        }
        let neutral = Vec3(0.93, 0.89, 0.66), good = Vec3(0.16, 0.62, 0.50), bad = Vec3(0.62, 0.10, 0.30)
        return Vec4(clamped < 0 ? Vec3.lerp(neutral, good, -clamped) : Vec3.lerp(neutral, bad, clamped), 1)
    }

    /// Markers over structures: no road within reach, and demand not fully served.
    public static let markerNoRoad = Vec4(0.85, 0.2, 0.75, 1)
    public static let markerNoPower = Vec4(0.95, 0.15, 0.15, 1)

    /// The ghost under the cursor: blue where the tool can build, orange where it would be
    /// refused (a pair colour-blind players tell apart), white over the tile being inspected.
    public static let ghostAllowed = Vec4(0.3, 0.75, 1.0, 1)
    public static let ghostRefused = Vec4(1.0, 0.45, 0.1, 1)
    public static let ghostHover = Vec4(0.95, 0.95, 0.9, 1)

    static func terrain(_ terrain: Terrain) -> Vec4 {
        switch terrain {
        case .land: return Vec4(hex: 0x9DB86A)
        case .water: return Vec4(hex: 0x3F7FBF)
        case .hill: return Vec4(hex: 0x8E8A5C)
        case .forest: return Vec4(hex: 0x5E8A4A)
        }
    }

    static func building(_ kind: BuildingKind) -> Vec4 {
        switch kind {
        case .residential: return Vec4(hex: 0xE8D8B8)
        case .commercial: return Vec4(hex: 0x7FA7D9)
        case .office: return Vec4(hex: 0xA9B8C8)
        case .industrial: return Vec4(hex: 0xB07A5A)
        case .datacenter: return Vec4(hex: 0x5B6B8C)
        case .farm: return Vec4(hex: 0xD9C26A)
        case .school: return Vec4(hex: 0xE0A040)
        case .hospital: return Vec4(hex: 0xF2F2F2)
        }
    }

    static func plant(_ kind: PlantKind) -> Vec4 {
        switch kind {
        case .coal: return Vec4(hex: 0x3A3A3A)
        case .gas: return Vec4(hex: 0x6E7B8B)
        case .nuclear: return Vec4(hex: 0xC8C8D0)
        case .hydro: return Vec4(hex: 0x4A78A8)
        case .wind: return Vec4(hex: 0xF4F4F4)
        case .solar: return Vec4(hex: 0x1F3A6A)
        case .biomass: return Vec4(hex: 0x7A6A3A)
        case .waste: return Vec4(hex: 0x8A5A7A)
        }
    }

    static func zone(_ kind: ZoneKind) -> Vec4 {
        switch kind {
        case .park: return Vec4(hex: 0x6DBE5A)
        case .forest: return Vec4(hex: 0x2E7D32)
        case .wetland: return Vec4(hex: 0x4FA3A5)
        case .farmland: return Vec4(hex: 0xC2B25A)
        }
    }

    static let road = Vec4(hex: 0x55575A)
    static let rail = Vec4(hex: 0x7A5C45)
    /// A bridge's piers and railings, and a metro tunnel's faint line on the ground above it.
    static let bridgeStructure = Vec4(hex: 0xB9B4A8)
    static let tunnel = Vec4(hex: 0x8E7A8C)
    static let stop = Vec4(hex: 0xF2C230)
    static let smoke = Vec4(hex: 0xB8B8B8)
    static let vehicle = Vec4(hex: 0xD04040)
}
