// Scene.swift — the city as instanced boxes, built from the simulation's read-only view.
//
// Two batches of one unit box each, so the whole city is two draw calls:
//   static   terrain and roads (runs of equal tiles merged into one long box), buildings (height
//            from kind and density), plants, stores, green zones (trees grow with age); rebuilt
//            when the map changes, once a game day, or when the overlay changes;
//   dynamic  smoke plumes sized by each plant's current emissions, turning wind turbine blades,
//            vehicles moving along roads in proportion to yesterday's traffic; rebuilt each frame.
// World space: tile (x, y) spans x…x+1, z = y…y+1 on the ground plane y = 0.
import CitySim
import ECS
import Foundation
import Render

public struct SceneContent {
    public var staticInstances: [Instance] = []
    public var dynamicInstances: [Instance] = []
}

public enum SceneBuilder {
    /// Heights in tiles (a tile is 100 m; buildings are drawn taller than scale for legibility).
    static func buildingHeight(_ kind: BuildingKind, density: Double) -> Float {
        let base: Float
        switch kind {
        case .residential: base = 0.9
        case .commercial: base = 0.6
        case .office: base = 1.6
        case .industrial: base = 0.5
        case .datacenter: base = 0.45
        case .farm: base = 0.2
        case .school: base = 0.35
        case .hospital: base = 0.7
        }
        return base * (0.35 + 0.65 * Float(min(1, max(0, density)).squareRoot()))
    }

    /// `lowDetail` (low graphics quality) draws one tree clump a tile, as big cities always do.
    public static func staticInstances(view: CityView, overlay: OverlayField?, lowDetail: Bool = false) -> [Instance] {
        let map = view.map
        var out: [Instance] = []
        out.reserveCapacity(map.tileCount / 4)
        // Ground: one slab for the whole map in the commonest colour, then boxes for every other
        // colour: runs along rows, and single tiles left over merged into runs down columns. A
        // column's run goes on through tiles of its colour already in a row's run (a street
        // crossing): the two boxes overlap there, flush and of one colour, and a grid of streets
        // is one box a street instead of one a block side (fewer, larger triangles).
        let colors = (0..<map.tileCount).map { groundColor($0 % map.width, $0 / map.width, map: map, overlay: overlay) }
        var counts: [Vec4: Int] = [:]
        for color in colors { counts[color, default: 0] += 1 }
        let base = counts.max { ($0.value, $0.key.rgba8) < ($1.value, $1.key.rgba8) }?.key ?? Palette.terrain(.land)
        out.append(Instance(position: Vec3(Float(map.width) / 2, -0.01, Float(map.height) / 2),
                            scale: Vec3(Float(map.width), 0.05, Float(map.height)), color: base))
        var covered = [Bool](repeating: false, count: map.tileCount)
        for y in 0..<map.height {
            var x = 0
            while x < map.width {
                let color = colors[map.index(x, y)]
                var end = x + 1
                while end < map.width && colors[map.index(end, y)] == color { end += 1 }
                if color != base && end - x >= 2 {
                    out.append(Instance(position: Vec3(Float(x + end) / 2, 0, Float(y) + 0.5), scale: Vec3(Float(end - x), 0.05, 1), color: color))
                    for i in x..<end { covered[map.index(i, y)] = true }
                }
                x = end
            }
        }
        for x in 0..<map.width {
            var y = 0
            while y < map.height {
                let i = map.index(x, y)
                guard colors[i] != base, !covered[i] else { y += 1; continue }
                var end = y + 1
                while end < map.height && colors[map.index(x, end)] == colors[i] { end += 1 }
                while covered[map.index(x, end - 1)] { end -= 1 }  // not past its last tile of its own
                out.append(Instance(position: Vec3(Float(x) + 0.5, 0, Float(y + end) / 2), scale: Vec3(1, 0.05, Float(end - y)), color: colors[i]))
                y = end
            }
        }
        out += bridgeInstances(map: map)
        // Stops: a post on the road.
        for i in 0..<map.tileCount where map.structure[i] == .busStop || map.structure[i] == .metroStation {
            let x = Float(i % map.width), z = Float(i / map.width)
            out.append(Instance(position: Vec3(x + 0.8, 0.05, z + 0.8), scale: Vec3(0.12, 0.3, 0.12), color: Palette.stop))
        }
        let detailed = map.tileCount <= 128 * 128 && !lowDetail
        let tint = { (color: Vec4, position: TilePosition) -> Vec4 in
            guard let overlay else { return color }
            guard overlay.overlay != .traffic && overlay.overlay != .air else { return color }  // fields of roads and air, not of structures
            let i = map.index(Int(position.x), Int(position.y))
            return overlay.hasValue(i) ? overlay.color(i) : color
        }
        view.forEachBuilding { _, building, p in
            let h = buildingHeight(building.kind, density: building.density)
            out.append(Instance(position: Vec3(Float(p.x) + 0.5, 0.05, Float(p.y) + 0.5), scale: Vec3(0.8, h, 0.8),
                                color: tint(Palette.building(building.kind), p)))
        }
        view.forEachPlant { _, plant, p in
            let base = Vec3(Float(p.x) + 0.5, 0.05, Float(p.y) + 0.5)
            let color = tint(Palette.plant(plant.kind), p)
            switch plant.kind {
            case .wind:
                out.append(Instance(position: base, scale: Vec3(0.08, 1.4, 0.08), color: color))
            case .solar:
                out.append(Instance(position: base, scale: Vec3(0.9, 0.08, 0.9), color: color))
            case .coal, .gas, .biomass, .waste:
                out.append(Instance(position: base, scale: Vec3(0.85, 0.5, 0.7), color: color))
                out.append(Instance(position: base + Vec3(0.25, 0, 0.2), scale: Vec3(0.16, 1.3, 0.16), color: color))
            default:
                out.append(Instance(position: base, scale: Vec3(0.85, 0.7, 0.85), color: color))
            }
        }
        view.forEachStorage { _, _, p in
            out.append(Instance(position: Vec3(Float(p.x) + 0.5, 0.05, Float(p.y) + 0.5), scale: Vec3(0.7, 0.35, 0.5),
                                color: tint(Vec4(hex: 0x4CAF50), p)))
        }
        view.forEachZone { _, zone, p in
            let color = tint(Palette.zone(zone.kind), p)
            switch zone.kind {
            case .forest, .park:
                // Trees grow with age: four trees per tile (one clump in big cities), height
                // rising to maturity.
                let growth = Float(treeGrowthStage(zone, catalog: view.catalog)) / Float(treeGrowthSteps)
                let height = 0.15 + 0.75 * growth * (zone.kind == .forest ? 1 : 0.7)
                if detailed == false {
                    out.append(Instance(position: Vec3(Float(p.x) + 0.5, 0.05, Float(p.y) + 0.5),
                                        scale: Vec3(0.7 + 0.2 * growth, height, 0.7 + 0.2 * growth), color: color))
                    return
                }
                for (dx, dz) in [(0.28, 0.28), (0.72, 0.3), (0.3, 0.72), (0.7, 0.7)] as [(Float, Float)] {
                    out.append(Instance(position: Vec3(Float(p.x) + dx, 0.05, Float(p.y) + dz),
                                        scale: Vec3(0.22 + 0.1 * growth, height, 0.22 + 0.1 * growth), color: color))
                }
            default:
                out.append(Instance(position: Vec3(Float(p.x) + 0.5, 0.05, Float(p.y) + 0.5), scale: Vec3(0.95, 0.03, 0.95), color: color))
            }
        }
        // Markers float above what lacks a road or power: a diamond on a post.
        for marker in markers(view: view) {
            let color = marker.marker == .noRoad ? Palette.markerNoRoad : Palette.markerNoPower
            let top = Vec3(Float(marker.x) + 0.5, 1.9, Float(marker.y) + 0.5)
            out.append(Instance(position: top, scale: Vec3(0.34, 0.34, 0.34), color: color))
            out.append(Instance(position: top - Vec3(0, 0.5, 0), scale: Vec3(0.06, 0.5, 0.06), color: color))
        }
        return out
    }

    /// A tile's ground: traffic colours the roads, air quality the land (water and the other
    /// overlays keep the terrain's colour, so nothing is painted "low" that has no value).
    public static func groundColor(_ x: Int, _ y: Int, map: TileMap, overlay: OverlayField?) -> Vec4 {
        let i = map.index(x, y)
        // A bridge's water stays water: its deck is drawn above it (`bridgeInstances`).
        if map.isBridge(i) { return Palette.terrain(.water) }
        switch map.structure[i] {
        case .road, .busStop:
            if let overlay, overlay.overlay == .traffic { return Palette.viridis((overlay.normalized(i) * 8).rounded() / 8) }
            return Palette.road
        case .rail, .metroStation: return Palette.rail
        default:
            if let overlay, overlay.overlay == .air, map.terrain[i] != .water {
                return Palette.airQuality((overlay.airPosition(overlay.values[i]) * 8).rounded() / 8)
            }
            return Palette.terrain(map.terrain[i])
        }
    }

    /// Bridges and tunnels. A bridge is a deck over the water along its crossing (the way its
    /// neighbours on the network lie), in the road's or the rail's colour, on a pier, with two
    /// railings. A metro tunnel is a faint thin line on the ground above it, along its neighbours
    /// in the tunnel, never drawn as surface rail.
    public static func bridgeInstances(map: TileMap) -> [Instance] {
        var out: [Instance] = []
        func joins(_ x: Int, _ y: Int, _ i: Int, tunnel: Bool) -> Bool {
            guard map.contains(x, y) else { return false }
            let j = map.index(x, y)
            return tunnel ? map.tunnel[j] : (map.structure[i].isRoad ? map.structure[j].isRoad : map.structure[j].isRail)
        }
        for i in 0..<map.tileCount where map.isBridge(i) || map.tunnel[i] {
            let x = i % map.width, y = i / map.width
            let centre = Vec3(Float(x) + 0.5, 0, Float(y) + 0.5)
            if map.isBridge(i) {
                let alongX = joins(x - 1, y, i, tunnel: false) || joins(x + 1, y, i, tunnel: false)
                let deckColor = map.structure[i].isRoad ? Palette.road : Palette.rail
                let deck = alongX ? Vec3(1, 0.06, 0.7) : Vec3(0.7, 0.06, 1)
                out.append(Instance(position: centre + Vec3(0, 0.14, 0), scale: deck, color: deckColor))
                out.append(Instance(position: centre, scale: Vec3(0.16, 0.14, 0.16), color: Palette.bridgeStructure))
                for side: Float in [-0.36, 0.36] {
                    let offset = alongX ? Vec3(0, 0.2, side) : Vec3(side, 0.2, 0)
                    let railing = alongX ? Vec3(1, 0.08, 0.04) : Vec3(0.04, 0.08, 1)
                    out.append(Instance(position: centre + offset, scale: railing, color: Palette.bridgeStructure))
                }
            }
            if map.tunnel[i] {
                out.append(Instance(position: centre + Vec3(0, 0.035, 0), scale: Vec3(0.12, 0.01, 0.12), color: Palette.tunnel))
                if joins(x + 1, y, i, tunnel: true) {
                    out.append(Instance(position: centre + Vec3(0.5, 0.035, 0), scale: Vec3(1, 0.01, 0.06), color: Palette.tunnel))
                }
                if joins(x, y + 1, i, tunnel: true) {
                    out.append(Instance(position: centre + Vec3(0, 0.035, 0.5), scale: Vec3(0.06, 0.01, 1), color: Palette.tunnel))
                }
            }
        }
        return out
    }

    public enum Marker: Sendable, Equatable { case noRoad, noPower }

    /// The steps in which trees are drawn growing to maturity: a day's growth (a few ten-thousandths
    /// of the way) is too small to see, and the scene is rebuilt only when a tree passes a step.
    static let treeGrowthSteps = 32

    /// How many of `treeGrowthSteps` a forest's or park's trees have grown.
    static func treeGrowthStage(_ zone: GreenZone, catalog: Catalog) -> Int {
        let maturityYears = max(1, catalog.zone(zone.kind).maturityAge)
        return Int(max(0, min(1, zone.ageHours / Sinks.hoursPerYear / maturityYears)) * Double(treeGrowthSteps))
    }

    /// What a new day can change in the static scene without a new structure, an overlay or a
    /// setting: the trees' growth steps and the markers. Equal signatures within a process, the
    /// same scene (without an overlay), so a day that changed neither is not rebuilt.
    public static func dailySignature(view: CityView) -> Int {
        var hasher = Hasher()
        view.forEachZone { _, zone, _ in
            if zone.kind == .forest || zone.kind == .park { hasher.combine(treeGrowthStage(zone, catalog: view.catalog)) }
        }
        for marker in markers(view: view) {
            hasher.combine(marker.x)
            hasher.combine(marker.y)
            hasher.combine(marker.marker == .noRoad)
        }
        return hasher.finalize()
    }

    /// Structures that need a marker: no road within reach (so no grid either), or a building
    /// whose electricity demand was not fully served in the last hour.
    public static func markers(view: CityView) -> [(x: Int, y: Int, marker: Marker)] {
        var out: [(x: Int, y: Int, marker: Marker)] = []
        let grid = view.grid
        view.forEachBuilding { _, building, p in
            if building.island == 0 { out.append((Int(p.x), Int(p.y), .noRoad)) } else if grid.servedShare(island: Int(building.island)) < 0.95 { out.append((Int(p.x), Int(p.y), .noPower)) }
        }
        view.forEachPlant { _, plant, p in
            if plant.island == 0 { out.append((Int(p.x), Int(p.y), .noRoad)) }
        }
        return out
    }

    /// Moving things, for the frame at `seconds` of animation time.
    public static func dynamicInstances(view: CityView, seconds: Double) -> [Instance] {
        var out: [Instance] = []
        let weather = view.weather
        let catalog = view.catalog
        view.forEachPlant { _, plant, p in
            let base = Vec3(Float(p.x) + 0.5, 0.05, Float(p.y) + 0.5)
            let spec = catalog.plant(plant.kind)
            if plant.kind == .wind {
                // Three blades around the hub, turning with the wind.
                let angle = seconds * 2 * Double(weather.windFactor) + Double(p.x) * 0.7
                for blade in 0..<3 {
                    let a = angle + Double(blade) * 2 * Double.pi / 3
                    let offset = Vec3(0, Float(sin(a)) * 0.3, Float(cos(a)) * 0.3)
                    out.append(Instance(position: base + Vec3(0.06, 1.4, 0) + offset, scale: Vec3(0.04, 0.08, 0.08), color: .white))
                }
            } else if spec.emissionFactor > 0 && plant.outputKW > 0 {
                // Smoke: volume with the tonnes emitted this hour (cube root for size).
                let tonnes = plant.outputKW * spec.emissionFactor / 1e6
                let size = Float(min(2.5, 0.15 + 0.12 * cbrt(tonnes)))
                let rise = Float((seconds * 0.3).truncatingRemainder(dividingBy: 1))
                out.append(Instance(position: base + Vec3(0.25, 1.35 + rise * 0.6, 0.2), scale: Vec3(size, size, size),
                                    color: Palette.smoke))
            }
        }
        // Vehicles: roughly one box per 400 vehicle trips on a tile, sliding along it.
        let map = view.map
        let flows = view.transport.tileFlowsYesterday
        var placed = 0
        for i in 0..<map.tileCount where flows[i] > 0 && placed < 3000 {
            let count = min(3, Int(flows[i] / 400) + (flows[i] > 50 ? 1 : 0))
            guard count > 0 else { continue }
            let x = Float(i % map.width), z = Float(i / map.width)
            let horizontal = i % map.width + 1 < map.width && map.structure[i + 1].isRoad
            for k in 0..<count {
                let phase = Float((seconds * 0.4 + Double(k) / Double(count) + Double(i % 7) * 0.13).truncatingRemainder(dividingBy: 1))
                let position = horizontal ? Vec3(x + phase, 0.06, z + 0.35 + 0.3 * Float(k % 2))
                                          : Vec3(x + 0.35 + 0.3 * Float(k % 2), 0.06, z + phase)
                out.append(Instance(position: position, scale: Vec3(0.14, 0.08, 0.14), color: Palette.vehicle))
                placed += 1
            }
        }
        return out
    }

    /// The ghost of the chosen tool over the drag or the tile under the cursor: a tile highlight
    /// and the structure's box, each coloured by whether the build command would do it there
    /// (`GameSession.ghost`, the command's own check); a plain highlight for the inspect tool.
    public static func ghostInstances(_ ghost: [(tile: (x: Int, y: Int), refusal: Refusal?, cost: Double, tonnes: Double)], tool: String,
                                      hover: (x: Int, y: Int)?, view: CityView) -> [Instance] {
        var out: [Instance] = []
        if tool == "select" {
            if let hover { out.append(Instance(position: Vec3(Float(hover.x) + 0.5, 0.03, Float(hover.y) + 0.5), scale: Vec3(1, 0.03, 1), color: Palette.ghostHover)) }
            return out
        }
        let height: Float?
        switch Structure.named(tool) {
        case .building(let kind, _)?: height = buildingHeight(kind, density: 0.5)
        case .plant?: height = 0.6
        case .storage?: height = 0.35
        case .zone(let kind)?: height = kind == .forest || kind == .park ? 0.3 : nil
        default: height = nil
        }
        for place in ghost.prefix(400) {
            let color = place.refusal == nil ? Palette.ghostAllowed : Palette.ghostRefused
            // Over an occupied tile the mark floats above what stands there, so it is seen.
            let y: Float = place.refusal == .occupied ? 1.8 : 0.03
            let base = Vec3(Float(place.tile.x) + 0.5, y, Float(place.tile.y) + 0.5)
            out.append(Instance(position: base, scale: Vec3(1, 0.04, 1), color: color))
            if let height { out.append(Instance(position: base + Vec3(0, 0.04, 0), scale: Vec3(0.7, height, 0.7), color: color)) }
        }
        return out
    }

    /// Sun and sky for a daylight level (`Daylight.level`: 0 night … 1 full day) at a (fractional) hour.
    public static func lighting(daylight day: Float, hour: Double) -> (Lighting, Vec4) {
        let angle = Float(hour / 24 * 2 * Double.pi)
        let direction = Vec3(-sin(angle), max(0.15, day * 0.6 + 0.15), 0.4)
        let lighting = Lighting(sunDirection: direction, sunColor: Vec3(0.75, 0.72, 0.65) * day,
                                ambient: Vec3(0.22, 0.24, 0.32) + Vec3(0.2, 0.2, 0.18) * day)
        let sky = Vec4(Vec3.lerp(Vec3(0.05, 0.07, 0.16), Vec3(0.55, 0.74, 0.88), day), 1)
        return (lighting, sky)
    }
}

/// Day and night on the map, kept safe to look at: WCAG 2.3.1 allows no more than three flashes
/// a second, and a day and a night are one flash. Nights are dusk, never dark, so the map stays
/// readable at speed 1; above `steadyAbove` game hours a second (a day in under two seconds,
/// speed 2 and up by default) the light holds at full day instead of pulsing.
public enum Daylight {
    /// The light at night, as a fraction of full day.
    public static let nightLevel: Float = 0.6
    /// Game hours per real second above which the light holds steady.
    public static let steadyAbove = 12.0

    /// 0 … 1: the light at `hour` (fractional, 0 ..< 24) of `dayOfYear`, at `hoursPerSecond`
    /// (infinite at the top speed). The sun's height is interpolated between hours, so the light
    /// changes smoothly rather than in hourly steps.
    /// `mode` is the player's choice (settings.toml `day_night`): `smoothed` halves how much
    /// darker the night is, `off` holds the day.
    public static func level(hour: Double, dayOfYear: Int, hoursPerSecond: Double, mode: GameSettings.DayNight = .on) -> Float {
        guard mode != .off, hoursPerSecond.isFinite, hoursPerSecond <= steadyAbove else { return 1 }
        let full = level(hour: hour, dayOfYear: dayOfYear)
        return mode == .smoothed ? 1 - (1 - full) / 2 : full
    }

    static func level(hour: Double, dayOfYear: Int) -> Float {
        let centred = hour - 0.5
        let before = Int(centred.rounded(.down))
        let fraction = centred - Double(before)
        func sun(_ h: Int) -> Double { Weather.clearSkyFraction(dayOfYear: dayOfYear, hour: (h % 24 + 24) % 24, latitude: 39.9) }
        let height = sun(before) * (1 - fraction) + sun(before + 1) * fraction
        return nightLevel + (1 - nightLevel) * Float(min(1, height * 2.2))
    }
}
