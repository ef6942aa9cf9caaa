// Adoption.swift — what the city's subsidies, standards and all-fuel carbon tax do: owners who
// adopt upgrades on their own, new buildings built to a standard, the tax on every tonne of
// fossil fuel, and the fossil rush before an announced tax (the green paradox).
//
// [SECTION] State
// [SECTION] Subsidies: owners adopt on their own
// [SECTION] Standards at build time
// [SECTION] The carbon tax on all fuel
// [SECTION] The green paradox
// [SECTION] Save codec
//
// Phase simulate, "policy.fuel_tax" (after grid.attribute and transport.freight: every fuel
//   flow of the hour is booked), each hour while `carbon_tax_on_all_fuel` = 1 and the tax is in
//   force (`Policies.carbonTax(in:)`):
//     base = this tick's direct tonnes of power, industry, buildings, transport, agriculture
//            − factories' process and farms' field emissions (not fuel: the catalog's
//              `process_emissions` are non-energy CO2)
//            − the fuel of firms covered by cap and trade (the market taxes them, Market.swift);
//     due += tax × base. At 23:00 the day's due is credited to the budget. The city owns the
//     power plants (the budget pays their fuel), so it also pays tax × their net stack tonnes:
//     a wash for the balance, shown on both sides. The tax reaches the plants through dispatch,
//     where a fossil plant's marginal cost includes tax × its net emission factor (Grid.swift),
//     and drivers through mode choice, where a petrol car costs tax × its direct factor per km
//     more (Transport.swift): what a driver weighs is what the city collects for that trip.
// Phase simulate, "policy.adoption" (after economy.daily):
//   every hour: the first hour of a fossil-rush year (`Policies.isFossilRush`) posts one advisor
//     message. During the rush, factories' process output and electricity use are 1 + the
//     catalog's `fossil_rush` times what they would be (Buildings.swift).
//   on 1 January 00:00 of every year after the first (owners decide over a year; what they
//   adopted appears when it turns), with p(subsidy) = adoption_at_full_subsidy × subsidy:
//     1. heat pumps and rooftop PV: each residential, commercial and office building without the
//        upgrade adopts it with probability p; the city pays subsidy × the upgrade's catalog cost
//        × density (the share of what the player would pay for it, City.apply);
//     2. storage: the developer of each wind or solar plant adds a battery on the first free
//        buildable tile beside it (north, east, south, west) with probability p, once per plant
//        (no battery already within one tile) — renewables paired with storage (新能源配储), the
//        usual form of storage support in China; the city pays subsidy × the battery's build
//        cost. The battery then works as any other store on its island, and like every store
//        the budget pays its fixed O&M (the city runs the grid);
//     3. electric cars: the fleet share s becomes s + p × (1 − s); each petrol-car owner switches
//        with probability p, so the expected share of car owners with an EV is the new s; the
//        city pays subsidy × `subsidy.ev_price_premium` per car that switched. Newcomers own an
//        EV with probability s (Population.moveIn).
//   Each draw is a stateless hash of (level seed, entity index, year, what is adopted): no
//   generator state, so two runs adopt the same things. An owner does not adopt when the city
//   cannot pay its share.
// Standards at build time (City.apply, a player's build; not the level's free starting city):
//   a data centre whose catalog PUE is above `datacentre_pue_cap` is built with the PUE upgrade;
//   `efficiency_standard` 1 builds every other building insulated, 2 insulated with smart HVAC.
//   The upgrades' catalog cost × density is added to the build cost.
import ECS

// MARK: - [SECTION] State

/// What the policy systems carry from one tick to the next (saved with the city).
public struct AdoptionState: Sendable, Equatable, SavedResource {
    /// Share of citizens' cars that are electric; rises each year with the EV subsidy.
    public var evFleetShare: Double
    /// All-fuel carbon tax of today so far, yuan: collected, and paid by the city's own plants
    /// (credited at 23:00).
    public internal(set) var fuelTaxDue = 0.0
    public internal(set) var fuelTaxOnCityPlantsDue = 0.0
    /// yuan this year: all-fuel tax collected (the city's plants included), the part the city
    /// paid for its own plants, and subsidies paid to owners.
    public internal(set) var fuelTaxThisYear = 0.0
    public internal(set) var fuelTaxOnCityPlantsThisYear = 0.0
    public internal(set) var subsidiesThisYear = 0.0
    /// The last year whose fossil rush the advisor announced.
    var rushNoticeYear = Int.min

    public init(catalog: Catalog) {
        evFleetShare = catalog.travel.evFleetShare
    }

    init(evFleetShare: Double) {
        self.evFleetShare = evFleetShare
    }
}

extension Policies {
    /// The carbon tax every tonne of fossil fuel pays in `year` (yuan/tCO2e): the tax in force
    /// when it applies to all fuel, else 0 (covered firms alone pay it, through the market).
    public func fuelTax(in year: Int) -> Double {
        carbonTaxOnAllFuel > 0 ? carbonTax(in: year) : 0
    }
}

public enum Adoption: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("policies", Policies.self) { $0.level.policies }
        sim.resource("adoption", AdoptionState.self) { AdoptionState(catalog: $0.catalog) }
        sim.system("policy.fuel_tax", Phase.simulate, reads: [Building.self, PrimaryLine.self, ProcessLine.self, BuildingLoad.self],
                   readsResources: [Catalog.self, Clock.self, Policies.self, BuildingLoadBook.self], writesResources: [AdoptionState.self, Budget.self, BudgetBook.self],
                   after: ["grid.attribute", "transport.freight"], run: { collectFuelTax($0.world) })
        sim.system("policy.adoption", Phase.simulate, reads: [PowerPlant.self, StorageUnit.self, TilePosition.self],
                   writes: [Building.self, Citizen.self, Commute.self, PrimaryLine.self, ElectricityLine.self],
                   readsResources: [Catalog.self, Clock.self, Policies.self, LevelInfo.self, TransportState.self, CommuteBook.self],
                   writesResources: [AdoptionState.self, Budget.self, BudgetBook.self, LevelRules.self, TileMap.self, Ledger.self,
                                     CommuteTotals.self, CitizenCarbonAccounts.self],
                   after: ["economy.daily"], run: { ctx in
            let world = ctx.world
            let clock = world.resource(Clock.self)!
            announceFossilRush(world: world, clock: clock)
            guard clock.isNewYear, clock.tick > 0 else { return }
            adopt(world: world, year: clock.year)
        })
    }

    /// Salts of the adoption draws, one per thing adopted.
    enum Draw: UInt64 {
        case heatPump = 0xAD0B_0001, rooftopPV = 0xAD0B_0002, storage = 0xAD0B_0003, electricCar = 0xAD0B_0004
    }

    /// A uniform draw in [0, 1) from (level seed, entity index, year, what): the same in every run.
    @inline(__always)
    static func draw(_ what: Draw, seed: UInt64, index: UInt32, year: Int) -> Double {
        SeededRandom.unit(seed: seed ^ what.rawValue, UInt64(index), UInt64(bitPattern: Int64(year)))
    }

    // MARK: - [SECTION] Subsidies: owners adopt on their own

    static func adopt(world: World, year: Int) {
        guard let policies = world.resource(Policies.self) else { return }
        let catalog = world.resource(Catalog.self)!
        let seed = world.resource(LevelInfo.self)!.seed
        let rate = catalog.carbon.adoptionAtFullSubsidy
        let heatPump = min(1, max(0, policies.heatPumpSubsidy)), rooftop = min(1, max(0, policies.rooftopPVSubsidy))
        let storage = min(1, max(0, policies.storageSubsidy)), electric = min(1, max(0, policies.evSubsidy))
        var available = world.resource(Budget.self)!.balance
        var paid = 0.0
        // 1. Heat pumps and rooftop PV on homes, shops and offices.
        if heatPump > 0 || rooftop > 0 {
            let heatPumpCost = catalog.upgrades[Int(UpgradeKind.heatPump.rawValue)].cost
            let rooftopCost = catalog.upgrades[Int(UpgradeKind.rooftopPV.rawValue)].cost
            world.query(Entity.self, Write<Building>.self).forEach { entity, building in
                let kind = building.value.kind
                guard kind == .residential || kind == .commercial || kind == .office else { return }
                var upgrades = building.value.upgrades
                let density = building.value.density
                @inline(__always) func consider(_ upgrade: UpgradeKind, _ subsidy: Double, _ cost: Double, _ what: Draw) {
                    guard subsidy > 0, upgrades & upgrade.bit == 0,
                          draw(what, seed: seed, index: entity.index, year: year) < rate * subsidy else { return }
                    let payment = subsidy * cost * density
                    guard payment <= available else { return }
                    upgrades |= upgrade.bit
                    available -= payment
                    paid += payment
                }
                consider(.heatPump, heatPump, heatPumpCost, .heatPump)
                consider(.rooftopPV, rooftop, rooftopCost, .rooftopPV)
                if upgrades != building.value.upgrades { building.value.upgrades = upgrades }
            }
        }
        // 2. Batteries beside wind and solar plants.
        if storage > 0 {
            let map = world.resource(TileMap.self)!
            var sites: [(x: Int, y: Int)] = []
            world.query(Entity.self, Read<PowerPlant>.self, Read<TilePosition>.self).forEach { entity, plant, position in
                guard plant.kind == .wind || plant.kind == .solar,
                      draw(.storage, seed: seed, index: entity.index, year: year) < rate * storage else { return }
                let x = Int(position.x), y = Int(position.y)
                var paired = false
                for dy in -1...1 { for dx in -1...1 where map.contains(x + dx, y + dy) {
                    let i = map.index(x + dx, y + dy)
                    if map.structure[i] == .entity, (try? world.get(StorageUnit.self, of: map.occupant[i])) != nil { paired = true }
                } }
                guard !paired else { return }
                for (dx, dy) in [(0, -1), (1, 0), (0, 1), (-1, 0)] where map.contains(x + dx, y + dy) {
                    let i = map.index(x + dx, y + dy)
                    guard map.terrain[i].isBuildable, map.structure[i] == .none,
                          !sites.contains(where: { $0 == (x + dx, y + dy) }) else { continue }
                    sites.append((x + dx, y + dy))
                    break
                }
            }
            let payment = storage * catalog.storageSpec(.battery).buildCost
            for site in sites where payment <= available {
                guard case .done = City.apply(.build(.storage(.battery), x: site.x, y: site.y), world: world, free: true) else { continue }
                available -= payment
                paid += payment
            }
        }
        // 3. Electric cars.
        if electric > 0 {
            let p = rate * electric
            let payment = electric * catalog.carbon.evPricePremium
            world.withResource(AdoptionState.self) { $0.evFleetShare += p * (1 - $0.evFleetShare) }
            var buyers: [Entity] = []
            world.query(Entity.self, Write<Citizen>.self).forEach { entity, citizen in
                guard citizen.value.hasCar, !citizen.value.hasElectricCar, payment <= available,
                      draw(.electricCar, seed: seed, index: entity.index, year: year) < p else { return }
                citizen.value.hasElectricCar = true
                available -= payment
                paid += payment
                buyers.append(entity)
            }
            Commutes.reconsider(world: world, buyers)  // a new car, a new choice
        }
        guard paid > 0 else { return }
        world.withResource(Budget.self) { $0.spend(paid) }
        world.book(.subsidies, -paid)
        world.withResource(AdoptionState.self) { $0.subsidiesThisYear += paid }
    }

    // MARK: - [SECTION] Standards at build time

    /// The upgrades a new structure must be built with under the city's standards, and their
    /// cost (added to the build cost by City.apply).
    static func standard(for structure: Structure, world: World) -> (upgrades: UInt8, cost: Double) {
        guard case .building(let kind, let density) = structure, let policies = world.resource(Policies.self) else { return (0, 0) }
        let catalog = world.resource(Catalog.self)!
        var upgrades: [UpgradeKind] = []
        if kind == .datacenter {
            // A cap below the upgraded PUE cannot be met: the centre is built with the best the catalog offers.
            if policies.dataCentrePUECap > 0 && catalog.building(kind).pue > policies.dataCentrePUECap { upgrades.append(.pue) }
        } else {
            if policies.efficiencyStandard >= 1 { upgrades.append(.insulation) }
            if policies.efficiencyStandard >= 2 { upgrades.append(.smartHVAC) }
        }
        return upgrades.reduce((0, 0)) { ($0.upgrades | $1.bit, $0.cost + catalog.upgrades[Int($1.rawValue)].cost * density) }
    }

    // MARK: - [SECTION] The carbon tax on all fuel

    static func collectFuelTax(_ world: World) {
        let clock = world.resource(Clock.self)!
        if clock.isNewYear {
            world.withResource(AdoptionState.self) { state in
                state.fuelTaxThisYear = 0
                state.fuelTaxOnCityPlantsThisYear = 0
                state.subsidiesThisYear = 0
            }
        }
        let tax = world.resource(Policies.self)?.fuelTax(in: clock.year) ?? 0
        if tax > 0 {
            let (base, cityPlants) = fuelTonnesThisTick(world: world, tick: clock.tick)
            world.withResource(AdoptionState.self) { state in
                state.fuelTaxDue += tax * base
                state.fuelTaxOnCityPlantsDue += tax * cityPlants
            }
        }
        guard clock.hour == 23 else { return }
        let state = world.resource(AdoptionState.self)!
        guard state.fuelTaxDue != 0 || state.fuelTaxOnCityPlantsDue != 0 else { return }
        world.withResource(Budget.self) { budget in
            budget.earn(state.fuelTaxDue)
            budget.spend(state.fuelTaxOnCityPlantsDue)
        }
        world.book(.fuelTax, state.fuelTaxDue)
        world.book(.fuelTaxOnCityPlants, -state.fuelTaxOnCityPlantsDue)
        world.withResource(AdoptionState.self) { state in
            state.fuelTaxThisYear += state.fuelTaxDue
            state.fuelTaxOnCityPlantsThisYear += state.fuelTaxOnCityPlantsDue
            state.fuelTaxDue = 0
            state.fuelTaxOnCityPlantsDue = 0
        }
    }

    /// This tick's direct tonnes of fossil fuel that the all-fuel tax covers, and the part of
    /// them burnt by the city's power plants (stack less capture).
    static func fuelTonnesThisTick(world: World, tick: Int64) -> (all: Double, cityPlants: Double) {
        let booked = world.resource(Ledger.self)!.tick
        var plants = booked.tonnes(.power, .direct)
        var all = plants + booked.tonnes(.industry, .direct) + booked.tonnes(.buildings, .direct)
            + booked.tonnes(.transport, .direct) + booked.tonnes(.agricultureWaste, .direct)
        @inline(__always) func thisTick(_ flow: Flow) -> Double { flow.tick == tick ? flow.tickTonnes : 0 }
        // Not fuel: factories' process and farms' field emissions.
        all -= world.resource(BuildingLoadBook.self)?.processTonnes(inTick: tick) ?? 0
        // Firms under cap and trade pay the tax through the market, on their verified emissions.
        if let market = world.resource(CarbonMarket.self), market.current != nil {
            for firm in market.firms where firm.active {
                var fuel = world.bookedLine(PrimaryLine.self, of: firm.entity).map { thisTick($0.flow) } ?? 0
                if firm.kind == .power {
                    fuel += (try? world.get(ProcessLine.self, of: firm.entity)).map { thisTick($0.flow) } ?? 0  // capture
                    plants -= fuel
                }
                all -= fuel
            }
        }
        return (all, plants)
    }

    // MARK: - [SECTION] The green paradox

    /// Multiplies factories' process output and electricity in a fossil-rush year (Buildings.swift).
    static func fossilRushFactor(world: World, year: Int) -> Double {
        guard let policies = world.resource(Policies.self), policies.isFossilRush(year) else { return 1 }
        return 1 + world.resource(Catalog.self)!.carbon.fossilRush
    }

    /// The first hour of a rush year: one advisor message in the level's feed.
    static func announceFossilRush(world: World, clock: Clock) {
        guard let policies = world.resource(Policies.self), policies.isFossilRush(clock.year),
              world.resource(AdoptionState.self)!.rushNoticeYear != clock.year else { return }
        world.withResource(AdoptionState.self) { $0.rushNoticeYear = clock.year }
        guard world.resource(LevelRules.self) != nil else { return }
        let percent = Int((world.resource(Catalog.self)!.carbon.fossilRush * 100).rounded())
        let start = Int(policies.carbonTaxStartYear)
        let text = Names(
            en: "Advisor: the carbon tax announced to start in \(start) has set off a fossil rush. Firms burn more coal and gas now, "
                + "while fuel is still untaxed: factories' output and fuel use are up \(percent)% until the tax starts. This is the "
                + "'green paradox' (Sinn 2008, International Tax and Public Finance; 《数字低碳与低碳数字》): announcing a tax early can raise emissions before it lowers them. "
                + "A single lever fails, a mix works: start the tax sooner, or pair it with standards and subsidies for clean options.",
            zh: "顾问：宣布将于\(start)年开征的碳税引发了化石能源抢用潮。企业趁燃料尚未征税多烧煤和天然气：在碳税开征前，"
                + "工业产出和燃料使用增加\(percent)%。这就是“绿色悖论”（Sinn，2008，《International Tax and Public Finance》；《数字低碳与低碳数字》）：过早宣布碳税，"
                + "排放可能先升后降。单一政策会失灵，政策组合才有效：提前开征碳税，或同时配合能效标准和清洁替代补贴。")
        world.withResource(LevelRules.self) { $0.post(.advisor, text, tick: clock.tick) }
    }
}

