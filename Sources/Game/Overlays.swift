// Overlays.swift — per-tile figures for the map overlays, from the simulation's read-only view.
//
// emissions  tCO2e booked this year by the structure on the tile (and by the citizens living there)
// removals   tCO2e removed this year by the green zone on the tile
// net        emissions − removals
// power      share of demand served (buildings) or of capacity running (plants)
// traffic    vehicle trips on the road tile yesterday
// air        PM2.5-equivalent, µg/m3
import CitySim
import ECS
import Foundation
import Render

public enum Overlay: String, CaseIterable, Sendable {
    case none, emissions, removals, net, power, traffic, air

    public var next: Overlay {
        let all = Overlay.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

public struct OverlayField {
    public var overlay: Overlay
    public var values: [Double]
    public var low: Double
    public var high: Double
    public var unit: String
    /// Air quality's reading: the WHO guideline and its first interim target (= China's Grade II
    /// limit), µg/m³, from the catalog (economy.toml `air.*`).
    public var guideline = 5.0
    public var interim = 35.0

    public init(overlay: Overlay, values: [Double], low: Double, high: Double, unit: String) {
        self.overlay = overlay
        self.values = values
        self.low = low
        self.high = high
        self.unit = unit
    }

    /// The net balance on a diverging scale, −1 (the largest sink) … 0 (balance) … +1 (the largest
    /// source), log-compressed; each side on its own range, so small sinks beside big sources show.
    public func signed(_ tile: Int) -> Double {
        let v = values[tile]
        return v >= 0 ? log10(1 + v) / log10(1 + max(1, high)) : -log10(1 - v) / log10(1 + max(1, -low))
    }

    /// A tile's colour: the net balance diverging (sources orange, sinks blue, balance grey), air
    /// quality from good (blue) through the interim target (grey) to bad (orange), the others on viridis.
    public func color(_ tile: Int) -> Vec4 {
        switch overlay {
        case .net: return Palette.diverging(signed(tile))
        case .air: return Palette.airQuality(airPosition(values[tile]))
        default: return Palette.viridis(normalized(tile))
        }
    }

    /// −1 … 1 on the air scale: 0 µg/m³ at −1, the interim target at 0, twice it and more at +1.
    public func airPosition(_ value: Double) -> Double { min(1, max(-1, (value - interim) / interim)) }

    /// The legend's colour at `position` (0 … 1, left to right).
    public func legendColor(_ position: Double) -> Vec4 {
        switch overlay {
        case .net: return Palette.diverging(2 * position - 1)
        case .air: return Palette.airQuality(2 * position - 1)
        default: return Palette.viridis(position)
        }
    }

    /// The value at a legend position (0 … 1), in the field's unit.
    public func legendValue(_ position: Double) -> Double {
        switch overlay {
        case .emissions, .removals, .traffic: return pow(10, position * log10(1 + max(0, high))) - 1
        case .net:
            let t = 2 * position - 1
            return t >= 0 ? pow(10, t * log10(1 + max(1, high))) - 1 : -(pow(10, -t * log10(1 + max(1, -low))) - 1)
        case .air: return 2 * interim * position
        default: return low + (high - low) * position
        }
    }

    /// 0…1 position of a tile's value on the legend (emission-like fields on a log scale).
    public func normalized(_ tile: Int) -> Double {
        let v = values[tile]
        switch overlay {
        case .emissions, .removals, .traffic:
            return high > 0 ? log10(1 + max(0, v)) / log10(1 + high) : 0
        case .net:
            // Centre (0.5) is balance; below removals dominate, above emissions.
            let scale = max(abs(low), abs(high), 1)
            return 0.5 + 0.5 * (v >= 0 ? log10(1 + v) : -log10(1 - v)) / log10(1 + scale)
        default:
            return high > low ? (v - low) / (high - low) : 0
        }
    }

    /// Whether the tile has a figure on this overlay (the power overlay has none for green zones and stores).
    public func hasValue(_ tile: Int) -> Bool { overlay != .power || values[tile] >= 0 }

    public static func compute(_ overlay: Overlay, view: CityView) -> OverlayField? {
        let map = view.map
        var values = [Double](repeating: 0, count: map.tileCount)
        let year = view.clock.year
        var unit = "tCO2e"
        func tile(_ p: TilePosition) -> Int { map.index(Int(p.x), Int(p.y)) }
        func yearTonnes(_ entity: Entity, negative: Bool) -> Double {
            view.ledgerLines(entity).reduce(0) { sum, line in
                guard line.flow.year == year, line.flow.scope != .electricity else { return sum }
                let t = line.flow.yearTonnes
                return sum + (negative ? max(0, -t) : max(0, t))
            }
        }
        switch overlay {
        case .none: return nil
        case .emissions, .net, .removals:
            let wantEmissions = overlay != .removals, wantRemovals = overlay != .emissions
            let add = { (entity: Entity, position: TilePosition) in
                let i = tile(position)
                if wantEmissions { values[i] += yearTonnes(entity, negative: false) }
                if wantRemovals { values[i] -= yearTonnes(entity, negative: true) * (overlay == .removals ? -1 : 1) }
            }
            view.forEachBuilding { e, _, p in add(e, p) }
            view.forEachPlant { e, _, p in add(e, p) }
            view.forEachZone { e, _, p in add(e, p) }
            view.forEachStorage { e, _, p in add(e, p) }
            if wantEmissions {
                view.forEachCitizen { e, c in values[Int(c.homeTile)] += yearTonnes(e, negative: false) }
            }
        case .power:
            unit = "share"
            for i in values.indices { values[i] = -1 }
            let grid = view.grid
            view.forEachBuilding { _, b, p in values[tile(p)] = grid.servedShare(island: Int(b.island)) }
            view.forEachPlant { _, plant, p in
                let capacity = view.catalog.plant(plant.kind).capacityKW
                values[tile(p)] = capacity > 0 ? plant.outputKW / capacity : 0
            }
            // −1: no demand and no capacity (green zones, stores, empty tiles), drawn in their own colours.
            return OverlayField(overlay: overlay, values: values, low: 0, high: 1, unit: unit)
        case .traffic:
            unit = "vehicles/day"
            for (i, flow) in view.transport.tileFlowsYesterday.enumerated() { values[i] = Double(flow) }
        case .air:
            unit = "µg/m³"
            for (i, c) in view.air.concentration.enumerated() { values[i] = Double(c) }
        }
        let low = values.min() ?? 0, high = values.max() ?? 0
        var field = OverlayField(overlay: overlay, values: values, low: low, high: high, unit: unit)
        field.guideline = view.catalog.air.whoGuideline
        field.interim = view.catalog.air.whoInterim
        return field
    }
}
