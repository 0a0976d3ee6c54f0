"""Longitude/latitude (WGS84, as in GeoJSON) → British National Grid easting/northing (OSGB36,
as in the ONS Postcode Directory), so boundaries and postcode grid references can be compared
in metres.

The steps are Ordnance Survey's published method: WGS84 geodetic → Cartesian, a seven-parameter
Helmert shift to OSGB36 (good to a few metres, far below the 500 m generalisation of the
boundaries this is used with), back to geodetic on the Airy 1830 ellipsoid, then the national
grid's transverse Mercator projection. Pure arithmetic, no dependency.
"""

from __future__ import annotations

import math

# WGS84 and Airy 1830 ellipsoids: semi-major and semi-minor axes, metres.
_WGS84 = (6378137.0, 6356752.314245)
_AIRY = (6377563.396, 6356256.909)

# Helmert shift WGS84 → OSGB36: translations (m), scale (parts per million), rotations (").
_TX, _TY, _TZ = -446.448, 125.157, -542.060
_SCALE_PPM = 20.4894
_RX, _RY, _RZ = -0.1502, -0.2470, -0.8421

# National grid: scale on the central meridian, true origin, false origin.
_F0 = 0.9996012717
_LAT0 = math.radians(49.0)
_LON0 = math.radians(-2.0)
_E0, _N0 = 400000.0, -100000.0


def to_national_grid(longitude: float, latitude: float) -> tuple[float, float]:
    """(easting, northing) in metres of a WGS84 point."""
    x, y, z = _cartesian(math.radians(latitude), math.radians(longitude), _WGS84)
    x, y, z = _helmert(x, y, z)
    lat, lon = _geodetic(x, y, z, _AIRY)
    return _transverse_mercator(lat, lon)


def _cartesian(lat: float, lon: float, ellipsoid: tuple[float, float]) -> tuple[float, ...]:
    a, b = ellipsoid
    e2 = 1 - (b * b) / (a * a)
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return (
        nu * math.cos(lat) * math.cos(lon),
        nu * math.cos(lat) * math.sin(lon),
        (1 - e2) * nu * math.sin(lat),
    )


def _helmert(x: float, y: float, z: float) -> tuple[float, float, float]:
    scale = 1 + _SCALE_PPM * 1e-6
    rx, ry, rz = (math.radians(r / 3600) for r in (_RX, _RY, _RZ))
    return (
        _TX + scale * x - rz * y + ry * z,
        _TY + rz * x + scale * y - rx * z,
        _TZ - ry * x + rx * y + scale * z,
    )


def _geodetic(x: float, y: float, z: float, ellipsoid: tuple[float, float]) -> tuple[float, float]:
    a, b = ellipsoid
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    # Converges to well under a millimetre in a few rounds.
    for _ in range(6):
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        lat = math.atan2(z + e2 * nu * math.sin(lat), p)
    return lat, math.atan2(y, x)


def _transverse_mercator(lat: float, lon: float) -> tuple[float, float]:
    a, b = _AIRY
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    sin_lat, cos_lat, tan_lat = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * _F0 / math.sqrt(1 - e2 * sin_lat**2)
    rho = a * _F0 * (1 - e2) / (1 - e2 * sin_lat**2) ** 1.5
    eta2 = nu / rho - 1
    meridian = _meridional_arc(lat, b, n)
    term1 = meridian + _N0
    term2 = nu / 2 * sin_lat * cos_lat
    term3 = nu / 24 * sin_lat * cos_lat**3 * (5 - tan_lat**2 + 9 * eta2)
    term3a = nu / 720 * sin_lat * cos_lat**5 * (61 - 58 * tan_lat**2 + tan_lat**4)
    term4 = nu * cos_lat
    term5 = nu / 6 * cos_lat**3 * (nu / rho - tan_lat**2)
    term6 = (
        nu
        / 120
        * cos_lat**5
        * (5 - 18 * tan_lat**2 + tan_lat**4 + 14 * eta2 - 58 * tan_lat**2 * eta2)
    )
    d = lon - _LON0
    northing = term1 + term2 * d**2 + term3 * d**4 + term3a * d**6
    easting = _E0 + term4 * d + term5 * d**3 + term6 * d**5
    return easting, northing


def _meridional_arc(lat: float, b: float, n: float) -> float:
    """Distance along the central meridian from the true origin's latitude to `lat`."""
    dl, sl = lat - _LAT0, lat + _LAT0
    return (
        b
        * _F0
        * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * dl
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(dl) * math.cos(sl)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * dl) * math.cos(2 * sl)
            - 35 / 24 * n**3 * math.sin(3 * dl) * math.cos(3 * sl)
        )
    )
