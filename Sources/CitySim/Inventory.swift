// Inventory.swift — the city's yearly greenhouse-gas inventory in the GHG Protocol's Global
// Protocol for Community-Scale GHG Inventories (GPC, WRI/C40/ICLEI 2014) layout, for
// `netzero run`'s inventory.csv: GPC sector, sub-sector, scope, tCO2e, notation key.
//
// Each entity's ledger lines of the closed year are placed in a GPC sub-sector:
//   homes → I.1, shops, offices, schools, hospitals and data centres → I.2, factories → I.3,
//   farms → I.5 (heating gas scope 1, grid electricity scope 2); power plants → I.4.4 (energy
//   generation supplied to the grid: scope 1, reported but kept out of BASIC, whose scope 2 rows
//   already count the same kWh); citizens' commutes, home blocks' other trips and road freight → II.1, rail freight → II.2;
//   residents' trips out of town → II.1, scope 1 on the city's roads and scope 3 beyond them;
//   factories' process CO2 → IV.1; farms' field N2O → V.3; green zones and forest land → V.2;
//   embodied carbon of what was built → "other scope 3".
// Flows of structures removed during the year are no longer on any entity: the difference
// between the city's books and the itemised rows is reported per model sector as "removed
// during the year", so every table adds up to the ledger.
// Notation keys: NO (not occurring in the model's city), NE (not estimated by the model),
// IE (included elsewhere: waste incineration with energy recovery is in I.4.4).
import ECS

public struct InventoryRow: Sendable, Equatable {
    public var year: Int
    public var sector: String
    public var subSector: String
    public var scope: String
    public var tonnes: Double?
    public var notation: String

    public var csv: String {
        [String(year), sector, subSector, scope, tonnes.map { Fixed.format($0, 3) } ?? "", notation].joined(separator: ",")
    }
}

public enum Inventory {
    public static let header = "year,gpc_sector,sub_sector,scope,tco2e,notation_key"

    static let stationary = "I Stationary energy"
    static let transport = "II Transportation"
    static let waste = "III Waste"
    static let ippu = "IV IPPU"
    static let afolu = "V AFOLU"
    static let other = "Other scope 3"

    /// Sub-sectors in the order they are written: (GPC sector, sub-sector).
    static let subSectors: [(String, String)] = [
        (stationary, "I.1 Residential buildings"),
        (stationary, "I.2 Commercial and institutional buildings and facilities"),
        (stationary, "I.3 Manufacturing industries and construction"),
        (stationary, "I.4.4 Energy generation supplied to the grid"),
        (stationary, "I.5 Agriculture forestry and fishing activities"),
        (transport, "II.1 On-road transportation"),
        (transport, "II.2 Railways"),
        (transport, "II.1-II.2 Grid electricity for trips"),
        (ippu, "IV.1 Industrial processes"),
        (afolu, "V.2 Land"),
        (afolu, "V.3 Aggregate sources and non-CO2 emission sources on land"),
        (other, "Embodied carbon of structures built in the year"),
    ]

    static func subSector(of kind: BuildingKind) -> Int {
        switch kind {
        case .residential: return 0
        case .industrial: return 2
        case .farm: return 4
        default: return 1
        }
    }

    /// The closed `year`'s inventory. Call right after the year closes (before anything is booked in the next).
    public static func rows(_ world: World, year period: LedgerPeriod) -> [InventoryRow] {
        let year = period.start.year
        // [sub-sector][scope − 1]
        var cells = [[Double?]](repeating: [nil, nil, nil], count: subSectors.count)
        var itemised = LedgerTally()
        func add(_ index: Int, _ flow: Flow) {
            guard flow.isUsed, flow.year == year else { return }
            let scope = Int(flow.scope.rawValue)
            cells[index][scope] = (cells[index][scope] ?? 0) + flow.yearTonnes
            itemised.add(flow.yearTonnes, sector: flow.sector, scope: flow.scope)
        }
        // A building's gas and electricity as booked so far (BuildingLoads.swift).
        let loads = world.resource(BuildingLoadBook.self) ?? BuildingLoadBook()
        let factors = BuildingLoads.LineFactorIDs(world.resource(Catalog.self))
        world.query(Read<Building>.self, Read<BuildingLoad>.self, Read<PrimaryLine>.self, Read<ElectricityLine>.self,
                    Read<ConstructionLine>.self)
            .forEach { building, load, heat, electricity, construction in
            let index = subSector(of: building.kind)
            add(index, world.withPending(heat, load: load, kind: building.kind, book: loads, factors: factors).flow)
            add(index, world.withPending(electricity, load: load, kind: building.kind, book: loads, factors: factors).flow)
            add(11, construction.flow)
        }
        world.query(Read<Building>.self, Read<BuildingLoad>.self, Read<ProcessLine>.self).forEach { building, load, process in
            add(building.kind == .farm ? 10 : 8, world.withPending(process, load: load, kind: building.kind, book: loads, factors: factors).flow)
        }
        world.query(Read<Building>.self, Read<BuildingLoad>.self, Read<RoadFreightLine>.self, Read<RailFreightLine>.self)
            .forEach { building, load, road, rail in
            add(5, world.withPending(road, load: load, kind: building.kind, book: loads, factors: factors).flow)
            add(6, world.withPending(rail, load: load, kind: building.kind, book: loads, factors: factors).flow)
        }
        world.query(Read<Building>.self, Read<CarTripsLine>.self, Read<BusTripsLine>.self, Read<TripElectricityLine>.self)
            .forEach { _, car, bus, electricity in
            add(5, car.flow)
            add(5, bus.flow)
            add(7, electricity.flow)
        }
        world.query(Read<Building>.self, Read<OutOfTownTripsLine>.self, Read<OutOfTownTripsBeyondLine>.self).forEach { _, inside, beyond in
            add(5, inside.flow)
            add(5, beyond.flow)
        }
        var wasteToEnergy = false
        world.query(Read<PowerPlant>.self, Read<PrimaryLine>.self, Read<ProcessLine>.self, Read<ConstructionLine>.self)
            .forEach { plant, stack, gases, construction in
            add(3, stack.flow)
            add(3, gases.flow)
            add(11, construction.flow)
            if plant.kind == .waste && stack.flow.year == year && stack.flow.yearQuantity > 0 { wasteToEnergy = true }
        }
        world.query(Read<StorageUnit>.self, Read<ConstructionLine>.self).forEach { _, construction in add(11, construction.flow) }
        world.query(Read<GreenZone>.self, Read<PrimaryLine>.self, Read<ProcessLine>.self, Read<ConstructionLine>.self)
            .forEach { _, growth, fire, cleared in
            add(9, growth.flow)
            add(9, fire.flow)
            add(9, cleared.flow)
        }
        world.query(Read<ForestLand>.self, Read<PrimaryLine>.self, Read<ConstructionLine>.self).forEach { _, growth, cleared in
            add(9, growth.flow)
            add(9, cleared.flow)
        }
        let commutes = world.resource(CommuteBook.self) ?? CommuteBook()
        world.query(Read<Commute>.self, Read<PrimaryLine>.self, Read<ElectricityLine>.self).forEach { commute, tailpipe, electricity in
            add(5, world.withCommutePending(tailpipe, commute: commute, book: commutes).flow)
            add(7, world.withCommutePending(electricity, commute: commute, book: commutes).flow)
        }
        // Roads, bridges and tunnels: the city's network books (NetworkBooks.swift).
        world.resource(NetworkBooks.self)?.forEachFlow { _, flow in add(11, flow) }

        var rows: [InventoryRow] = []
        for (index, (sector, sub)) in subSectors.enumerated() {
            for scope in Scope.allCases {
                guard let tonnes = cells[index][Int(scope.rawValue)] else { continue }
                rows.append(InventoryRow(year: year, sector: sector, subSector: sub, scope: String(scope.gpcScope), tonnes: tonnes, notation: ""))
            }
        }
        // Structures removed during the year: what the books hold beyond the itemised rows.
        let modelSector: [Sector: String] = [.power: stationary, .industry: stationary, .buildings: stationary,
                                             .transport: transport, .agricultureWaste: afolu, .landSinks: afolu]
        for sector in Sector.allCases {
            for scope in Scope.allCases {
                let rest = period.tally.tonnes(sector, scope) - itemised.tonnes(sector, scope)
                guard abs(rest) > 0.0005 else { continue }
                rows.append(InventoryRow(year: year, sector: scope == .outsideCity && sector != .transport ? other : modelSector[sector]!,
                                         subSector: "Removed during the year (\(sector.key))", scope: String(scope.gpcScope),
                                         tonnes: rest, notation: ""))
            }
        }
        func key(_ sector: String, _ sub: String, _ notation: String) {
            rows.append(InventoryRow(year: year, sector: sector, subSector: sub, scope: "1", tonnes: nil, notation: notation))
        }
        key(stationary, "I.7 Fugitive emissions from coal mining and handling", "NO")
        key(stationary, "I.8 Fugitive emissions from oil and natural gas systems", "NE")
        key(transport, "II.3 Waterborne navigation", "NO")
        key(transport, "II.4 Aviation", "NO")
        key(transport, "II.5 Off-road transportation", "NE")
        key(waste, "III.1 Solid waste disposal", "NE")
        key(waste, "III.2 Biological treatment of waste", "NE")
        key(waste, "III.3 Incineration and open burning", wasteToEnergy ? "IE" : "NO")
        key(waste, "III.4 Wastewater treatment and discharge", "NE")
        key(ippu, "IV.2 Product use", "NE")
        key(afolu, "V.1 Livestock", "NE")

        // Totals. BASIC: stationary energy and transport scopes 1 and 2 and waste scope 1, with
        // I.4.4 out (its kWh are in the scope-2 rows). BASIC+ adds IPPU, AFOLU and transport's
        // scope 3 (transboundary trips). The territorial total is every scope-1 flow: the city's
        // net, as the ledger reports it.
        var basic = 0.0, basicPlus = 0.0
        for row in rows {
            guard let tonnes = row.tonnes, !row.subSector.hasPrefix("I.4.4") else { continue }
            if row.scope == "3" {
                if row.sector == transport { basicPlus += tonnes }
            } else if row.sector == ippu || row.sector == afolu {
                basicPlus += tonnes
            } else {
                basic += tonnes
            }
        }
        rows.append(InventoryRow(year: year, sector: "Total", subSector: "BASIC", scope: "1+2", tonnes: basic, notation: ""))
        rows.append(InventoryRow(year: year, sector: "Total", subSector: "BASIC+", scope: "1+2+3", tonnes: basic + basicPlus, notation: ""))
        rows.append(InventoryRow(year: year, sector: "Total", subSector: "Territorial (the city's net)", scope: "1", tonnes: period.net, notation: ""))
        rows.append(InventoryRow(year: year, sector: "Total", subSector: "Scope 3 embodied", scope: "3", tonnes: period.scope3Embodied, notation: ""))
        rows.append(InventoryRow(year: year, sector: "Total", subSector: "Scope 3 transboundary transport", scope: "3", tonnes: period.transboundaryTransport,
                                 notation: ""))
        return rows
    }
}
