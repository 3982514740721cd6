package community

import (
	"fmt"
	"math"

	"github.com/orgspace/orgspace/storage"
)

// earthRadius is the mean radius of the Earth in kilometres (IUGG).
const earthRadius = 6371.0088

// Distance returns the great-circle distance between a and b in
// kilometres, on a sphere of the Earth's mean radius (6371.0088 km), by
// the haversine formula. It is symmetric, never negative and at most half
// the circumference (about 20015 km).
func Distance(a, b Location) float64 {
	φ1, φ2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dφ := φ2 - φ1
	dλ := (b.Lon - a.Lon) * math.Pi / 180
	sφ, sλ := math.Sin(dφ/2), math.Sin(dλ/2)
	h := sφ*sφ + math.Cos(φ1)*math.Cos(φ2)*sλ*sλ
	// Rounding can push h a hair outside [0, 1] near the antipodes.
	h = min(max(h, 0), 1)
	return 2 * earthRadius * math.Asin(math.Sqrt(h))
}

// Validate checks that l is a point on Earth: a finite latitude in
// [-90, 90] and a finite longitude in [-180, 180]. It fails with
// storage.ErrInvalidArgument naming field's latitude or longitude
// ("home latitude" for field "home").
func (l Location) Validate(field string) error {
	if math.IsNaN(l.Lat) || l.Lat < -90 || l.Lat > 90 {
		return fmt.Errorf("community: %s latitude %v is not in [-90, 90]: %w", field, l.Lat, storage.ErrInvalidArgument)
	}
	if math.IsNaN(l.Lon) || l.Lon < -180 || l.Lon > 180 {
		return fmt.Errorf("community: %s longitude %v is not in [-180, 180]: %w", field, l.Lon, storage.ErrInvalidArgument)
	}
	return nil
}

// point is a location as a unit vector from the Earth's centre.
type point [3]float64

func pointOf(l Location) point {
	sφ, cφ := math.Sincos(l.Lat * math.Pi / 180)
	sλ, cλ := math.Sincos(l.Lon * math.Pi / 180)
	return point{cφ * cλ, cφ * sλ, sφ}
}

// chord2 returns the squared length of the chord between p and q on the
// unit sphere. It grows with the great-circle distance d between them:
// it is chord2Of(d), up to rounding.
func chord2(p, q point) float64 {
	x, y, z := p[0]-q[0], p[1]-q[1], p[2]-q[2]
	return x*x + y*y + z*z
}

// chord2Of returns the squared chord of a great-circle distance of km.
func chord2Of(km float64) float64 {
	s := 2 * math.Sin(km/(2*earthRadius))
	return s * s
}
