package community

import (
	"errors"
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/orgspace/orgspace/storage"
)

// kmNorth returns the point km kilometres north of l along its meridian.
func kmNorth(l Location, km float64) Location {
	return Location{Lat: l.Lat + km/(earthRadius*math.Pi/180), Lon: l.Lon}
}

var (
	brusselsLoc = Location{Lat: 50.8503, Lon: 4.3517}
	parisLoc    = Location{Lat: 48.8566, Lon: 2.3522}
)

func TestDistanceKnownPlaces(t *testing.T) {
	halfCircumference := math.Pi * earthRadius
	for _, tc := range []struct {
		name string
		a, b Location
		want float64 // km
		tol  float64
	}{
		{"same point", brusselsLoc, brusselsLoc, 0, 0},
		{"Brussels to Paris", brusselsLoc, parisLoc, 264, 1},
		{"London to New York", Location{51.5074, -0.1278}, Location{40.7128, -74.0060}, 5570, 5},
		{"antipodes on the equator", Location{0, 0}, Location{0, 180}, 20015.1, 0.1},
		{"pole to pole", Location{90, 0}, Location{-90, 0}, halfCircumference, 1e-6},
		{"antipodes off the equator", Location{50.8503, 4.3517}, Location{-50.8503, -175.6483}, halfCircumference, 1e-6},
		{"equator to pole", Location{0, 10}, Location{90, 0}, halfCircumference / 2, 1e-6},
		{"one degree of longitude on the equator", Location{0, 0}, Location{0, 1}, 111.195, 0.001},
		{"across the antimeridian", Location{0, 179.5}, Location{0, -179.5}, 111.195, 0.001},
		{"5 km north", brusselsLoc, kmNorth(brusselsLoc, 5), 5, 1e-9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Distance(tc.a, tc.b); math.Abs(got-tc.want) > tc.tol {
				t.Errorf("Distance(%v, %v) = %.6f km, want %.6f ± %g", tc.a, tc.b, got, tc.want, tc.tol)
			}
		})
	}
}

// Distance is a metric on the sphere: symmetric, non-negative, zero from
// a point to itself, at most half the circumference, and it keeps the
// triangle inequality (within rounding).
func TestDistanceIsAMetric(t *testing.T) {
	half := math.Pi * earthRadius
	loc := rapid.Custom(func(t *rapid.T) Location {
		return Location{
			Lat: rapid.Float64Range(-90, 90).Draw(t, "lat"),
			Lon: rapid.Float64Range(-180, 180).Draw(t, "lon"),
		}
	})
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := loc.Draw(t, "a"), loc.Draw(t, "b"), loc.Draw(t, "c")
		ab, ba, bc, ac := Distance(a, b), Distance(b, a), Distance(b, c), Distance(a, c)
		if ab != ba {
			t.Fatalf("Distance(a, b) = %v but Distance(b, a) = %v", ab, ba)
		}
		if ab < 0 || ab > half || math.IsNaN(ab) {
			t.Fatalf("Distance(a, b) = %v, want within [0, %v]", ab, half)
		}
		if d := Distance(a, a); d != 0 {
			t.Fatalf("Distance(a, a) = %v, want 0", d)
		}
		if ac > (ab+bc)*(1+1e-6)+1e-9 {
			t.Fatalf("triangle inequality: d(a, c) = %v > d(a, b) + d(b, c) = %v + %v", ac, ab, bc)
		}
	})
}

func TestLocationValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    Location
		want string // "" when valid, else the field the error names
	}{
		{"origin", Location{0, 0}, ""},
		{"Brussels", brusselsLoc, ""},
		{"north-east corner", Location{90, 180}, ""},
		{"south-west corner", Location{-90, -180}, ""},
		{"latitude above 90", Location{90.0001, 0}, "home latitude"},
		{"latitude below -90", Location{-91, 0}, "home latitude"},
		{"latitude NaN", Location{math.NaN(), 0}, "home latitude"},
		{"latitude infinite", Location{math.Inf(1), 0}, "home latitude"},
		{"longitude above 180", Location{0, 180.5}, "home longitude"},
		{"longitude below -180", Location{0, -180.0001}, "home longitude"},
		{"longitude NaN", Location{0, math.NaN()}, "home longitude"},
		{"longitude infinite", Location{0, math.Inf(-1)}, "home longitude"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.l.Validate("home")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate(%v) = %v, want nil", tc.l, err)
			case tc.want == "":
			case !errors.Is(err, storage.ErrInvalidArgument):
				t.Fatalf("Validate(%v) = %v, want storage.ErrInvalidArgument", tc.l, err)
			case !strings.HasPrefix(err.Error(), "community: "+tc.want+" "):
				t.Fatalf("Validate(%v) = %q, want it to name %q", tc.l, err, tc.want)
			}
		})
	}
}
