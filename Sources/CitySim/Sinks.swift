// Sinks.swift — green zones: parks, urban forest, wetland and managed farmland.
//
// Phase simulate, "sinks.grow": zones are split into 24 slices (by storage row); each hour one
// slice grows by a day, so every zone is updated once a day. The day's removal is the stock
// gained along the growth curve by age:
//     removal rate r(t) = max_removal / (1 + exp(−k (t − midpoint))),  k = ln 19 / (maturity − midpoint)
//     (50% of the peak rate at the midpoint age, 95% at maturity), so young trees absorb
//     little; the stock stops growing once it reaches max_stock (the stand has saturated).
//   During a drought the hour's removal shrinks by the zone's drought loss.
//   Fire (a seeded draw per zone per drought day) releases the catalog's share of the stock;
//   demolition releases its share when the zone is removed (see City.demolish).
// Removals are booked as negative tonnes in the land-sinks sector, releases as positive ones.
//
// A level's starting zones are established, not saplings (`establishStartingZones`): they start
// at the level's `green_age` (default: each kind's maturity age, where the curve reaches 95% of
// its peak), holding the stock the curve gives at that age, so their removals follow the curve
// from there and demolishing them releases that stock.
//
// Forest terrain (`T` tiles) is forest land remaining forest land: a small net sink at the
// catalog's `[forest_land]` rate, booked once a day on one `ForestLand` entity per city. When a
// structure is built on a wooded forest tile, the tile's stock is released (land converted to
// settlement, IPCC 2006 Vol.4 Ch.8).
import ECS
import Foundation

public struct GreenZone: Component, Sendable {
    public var kind: ZoneKind
    /// Hours since planting (or since the last fire replanted it).
    public var ageHours: Double = 0
    /// tCO2e held in the zone.
    public var stock: Double = 0
    public var burns = 0
    public init(kind: ZoneKind) { self.kind = kind }
}

/// The books of the city's forest terrain (one entity per city, spawned when the map has forest).
public struct ForestLand: Component, Sendable {
    /// Forest-terrain tiles with no structure on them when last counted.
    public var standingTiles: Int32 = 0
    public init(standingTiles: Int32 = 0) { self.standingTiles = standingTiles }

    /// Forest-terrain tiles with no structure on them.
    public static func standingTiles(_ map: TileMap) -> Int {
        var count = 0
        for i in 0..<map.tileCount where map.terrain[i] == .forest && map.structure[i] == .none { count += 1 }
        return count
    }
}

public enum Sinks: SimulationPlugin {
    public static let hoursPerYear = 8766.0  // 365.25 days

    public static func build(_ sim: SimulationBuilder) {
        sim.component(GreenZone.self, default: GreenZone(kind: .park)) { zone, _, _ in
            zone.stock.isFinite && zone.stock >= 0 ? nil : "its carbon stock is \(zone.stock)"
        }
        sim.component(ForestLand.self, default: ForestLand())
        sim.system("sinks.grow", Phase.simulate, writes: [GreenZone.self, ForestLand.self, PrimaryLine.self, ProcessLine.self, ConstructionLine.self],
                   readsResources: [Catalog.self, Clock.self, Weather.self, LevelInfo.self, TileMap.self], writesResources: [Ledger.self],
                   after: ["weather"], run: grow)
    }

    /// Removal rate (tCO2e/ha/yr) at `ageYears` on the zone's curve.
    public static func removalRate(_ spec: ZoneSpec, ageYears: Double) -> Double {
        let k = DeterministicMath.log(19) / max(0.01, spec.maturityAge - spec.growthMidpoint)
        return spec.maxRemoval / (1 + DeterministicMath.exp(-k * (ageYears - spec.growthMidpoint)))
    }

    /// Stock gained from `fromHours` to `toHours` with no drought and no cap: the integral of
    /// the removal rate (closed form of the logistic), per hectare.
    public static func growth(_ spec: ZoneSpec, fromHours: Double, toHours: Double) -> Double {
        let k = DeterministicMath.log(19) / max(0.01, spec.maturityAge - spec.growthMidpoint)
        func integral(_ hours: Double) -> Double {
            let t = hours / hoursPerYear
            // ∫ r dt = (max/k) · ln(1 + exp(k (t − m)))
            let z = k * (t - spec.growthMidpoint)
            let softplus = z > 30 ? z : DeterministicMath.log1p(DeterministicMath.exp(z))
            return spec.maxRemoval / k * softplus
        }
        return integral(toHours) - integral(fromHours)
    }

    /// Stock (tCO2e) one zone of `spec` holds at `ageYears` along the curve, capped at its maximum.
    public static func stock(_ spec: ZoneSpec, ageYears: Double) -> Double {
        min(spec.maxStock, growth(spec, fromHours: 0, toHours: ageYears * hoursPerYear)) * spec.areaHa
    }

    /// Makes a level's starting green zones established: aged `ageYears` (nil: each kind's
    /// maturity age) with the stock the growth curve gives them at that age.
    public static func establishStartingZones(world: World, ageYears: Double?) {
        let catalog = world.resource(Catalog.self)!
        world.query(Write<GreenZone>.self).forEach { zone in
            let spec = catalog.zone(zone.value.kind)
            let age = max(0, ageYears ?? spec.maturityAge)
            zone.value.ageHours = age * hoursPerYear
            zone.value.stock = stock(spec, ageYears: age)
        }
    }

    /// The forest terrain standing when the level starts, so that a tile built on before the first
    /// daily count releases its stock at that count (the count books only what it saw go).
    static func countStartingForest(world: World) {
        let standing = ForestLand.standingTiles(world.resource(TileMap.self)!)
        guard standing > 0 else { return }
        world.commands.spawn(ForestLand(standingTiles: Int32(standing)), PrimaryLine(), ConstructionLine())
        world.applyCommands()
    }

    /// Forest land remaining forest land: each day, the standing tiles' net removal; a tile built
    /// on since the last count releases its stock.
    static func forestLand(world: World, catalog: Catalog, clock: Clock, tally: inout LedgerTally) {
        let map = world.resource(TileMap.self)!
        let standing = ForestLand.standingTiles(map)
        var found = false
        let land = catalog.forestLand
        world.query(Write<ForestLand>.self, Write<PrimaryLine>.self, Write<ConstructionLine>.self).forEach { forest, growth, cleared in
            found = true
            let lost = Int(forest.value.standingTiles) - standing
            forest.value.standingTiles = Int32(standing)
            if lost > 0 {
                let stock = Double(lost) * land.stock * land.areaHa
                cleared.book(land.releaseOnClearingID, value: land.releaseOnClearing, quantity: stock,
                             tonnes: stock * land.releaseOnClearing, sector: .landSinks, scope: .direct, clock: clock, tally: &tally)
            }
            guard standing > 0 else { return }
            let hectareYears = Double(standing) * land.areaHa / 365.25
            growth.book(land.removalID, value: land.removal, quantity: hectareYears, tonnes: -land.removal * hectareYears,
                        sector: .landSinks, scope: .direct, clock: clock, tally: &tally)
        }
        if !found && standing > 0 {
            world.commands.spawn(ForestLand(standingTiles: Int32(standing)), PrimaryLine(), ConstructionLine())
        }
    }

    static func grow(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        let weather = world.resource(Weather.self)!
        let seed = world.resource(LevelInfo.self)!.seed
        let zones = catalog.zones
        let fireChance = catalog.disturbance.fireChance
        var tally = LedgerTally()
        world.query(Entity.self, Write<GreenZone>.self, Write<PrimaryLine>.self, Write<ProcessLine>.self)
            .forEach(slice: clock.hour, of: 24) { entity, zone, removal, fire in
            let spec = zones[Int(zone.value.kind.rawValue)]
            let area = spec.areaHa
            let age = zone.value.ageHours
            zone.value.ageHours = age + 24
            // Fire: once per drought day, a seeded draw per zone.
            if weather.inDrought && spec.releaseOnFire > 0
                && SeededRandom.unit(seed: seed ^ 0xF1BE, UInt64(entity.index), UInt64(clock.dayIndex)) < fireChance {
                let released = zone.value.stock * spec.releaseOnFire
                fire.book(spec.releaseOnFireID, value: spec.releaseOnFire, quantity: zone.value.stock, tonnes: released,
                             sector: .landSinks, scope: .direct, clock: clock, tally: &tally)
                zone.value.stock -= released
                zone.value.ageHours = 0
                zone.value.burns += 1
                return
            }
            var gained = growth(spec, fromHours: age, toHours: age + 24) * area
            if weather.inDrought { gained *= 1 - spec.droughtLoss }
            gained = min(gained, spec.maxStock * area - zone.value.stock)
            guard gained > 0 else { return }
            zone.value.stock += gained
            // Factor: the curve's rate at this age; quantity: hectare-years grown today.
            let rate = removalRate(spec, ageYears: (age + 12) / hoursPerYear)
            removal.book(spec.maxRemovalID, value: rate, quantity: rate > 0 ? gained / rate : 0, tonnes: -gained,
                         sector: .landSinks, scope: .direct, clock: clock, tally: &tally)
        }
        if clock.hour == 0 { forestLand(world: world, catalog: catalog, clock: clock, tally: &tally) }
        world.withResource(Ledger.self) { $0.absorb(tally) }
    }
}
