package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	openfgav1 "github.com/openfga/api/proto/openfga/v1"
	"github.com/openfga/language/pkg/go/transformer"
	"github.com/openfga/openfga/pkg/logger"
	"github.com/openfga/openfga/pkg/server"
	"github.com/openfga/openfga/pkg/storage/memory"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// OpenFGA object types of the model, and the relations that are not named
// after a role or a permission.
const (
	fgaUser         = "user"
	fgaOrganisation = "organisation"
	fgaAccount      = "account"
	fgaOwner        = "owner"        // organisation#owner: the Owners
	fgaOrgOf        = "organisation" // account#organisation: the account's organisation
	fgaGrantee      = "grantee"      // account#grantee: any role, i.e. a grant
)

// Server limits. OpenFGA's defaults (1,000 results, 3 s) protect a shared
// server from expensive queries; here they would only risk a silently
// truncated answer, so they are raised far above what the set needs (an
// Owner opens 100 accounts, the whole set has 1,000; an account has about
// 300 grantees), and every listing is checked for completeness (see
// AccountsOf and UsersOfAccount).
const (
	// fgaListObjectsMaxResults caps ListObjects: ten times the set's
	// accounts. A result this long is treated as truncated.
	fgaListObjectsMaxResults = 10_000
	// fgaListUsersMaxResults 0 is documented as "no limit" for ListUsers
	// (a positive limit would also size a buffered channel per call).
	fgaListUsersMaxResults = 0
	// fgaDeadline is the ListObjects and ListUsers deadline and the
	// request timeout (which bounds Check). A listing that took this long
	// may have been cut short, and is reported as an error.
	fgaDeadline = time.Minute
)

// openfgaSource is the set as OpenFGA input: the authorization model (the
// proto of a DSL generated from the set's roles) and the relationship
// tuples, both prepared once and untimed. Build loads them into a new
// embedded server.
type openfgaSource struct {
	model  *openfgav1.AuthorizationModel
	tuples []*openfgav1.TupleKey
	names  *fgaNames
}

// fgaNames maps orgspace's roles and permissions to the model's relations.
type fgaNames struct {
	roles map[access.RoleID]string
	perms map[access.Permission]string
	view  string // the relation of access.ViewAccount: "can open"
}

// fgaName turns an ID into a relation name OpenFGA accepts in the DSL and
// the API: prefix, then the ID lower-cased with every character other
// than a-z, 0-9 and _ replaced by _, at most 50 characters in all.
func fgaName(prefix, id string) (string, error) {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range strings.ToLower(id) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if len(name) > 50 {
		return "", fmt.Errorf("openfga: relation name %q (from %q) is longer than 50 characters", name, id)
	}
	return name, nil
}

// openfgaDSL returns the model of the set's roles in OpenFGA's DSL (schema
// 1.1), with the relation names it uses.
func openfgaDSL(s *Set) (string, *fgaNames, error) {
	n := &fgaNames{roles: map[access.RoleID]string{}, perms: map[access.Permission]string{}}
	taken := map[string]string{} // relation name → what it was made from
	claim := func(name, from string) error {
		if prev, ok := taken[name]; ok {
			return fmt.Errorf("openfga: %s and %s both become relation %q", prev, from, name)
		}
		taken[name] = from
		return nil
	}
	for _, name := range []string{fgaOrgOf, fgaGrantee} {
		if err := claim(name, "the model"); err != nil {
			return "", nil, err
		}
	}
	var b strings.Builder
	b.WriteString("model\n  schema 1.1\n\ntype user\n\n")
	fmt.Fprintf(&b, "type %s\n  relations\n    define %s: [%s]\n\n", fgaOrganisation, fgaOwner, fgaUser)
	fmt.Fprintf(&b, "type %s\n  relations\n    define %s: [%s]\n", fgaAccount, fgaOrgOf, fgaOrganisation)
	roleRels := make([]string, 0, len(s.Roles))
	for _, r := range s.Roles {
		if !r.Permissions.Has(access.ViewAccount) {
			// AccountsOf lists can_<view account>: that is "can open"
			// only if every grant carries ViewAccount.
			return "", nil, fmt.Errorf("openfga: role %q lacks %s", r.ID, access.ViewAccount)
		}
		name, err := fgaName("role_", string(r.ID))
		if err == nil {
			err = claim(name, "role "+string(r.ID))
		}
		if err != nil {
			return "", nil, err
		}
		n.roles[r.ID] = name
		roleRels = append(roleRels, name)
		fmt.Fprintf(&b, "    define %s: [%s]\n", name, fgaUser)
	}
	if len(roleRels) == 0 {
		return "", nil, fmt.Errorf("openfga: the set has no role")
	}
	fmt.Fprintf(&b, "    define %s: %s\n", fgaGrantee, strings.Join(roleRels, " or "))
	for _, p := range Permissions() {
		name, err := fgaName("can_", p.String())
		if err == nil {
			err = claim(name, "permission "+p.String())
		}
		if err != nil {
			return "", nil, err
		}
		n.perms[p] = name
		var holders []string
		for _, r := range s.Roles {
			if r.Permissions.Has(p) {
				holders = append(holders, n.roles[r.ID])
			}
		}
		// Owners hold every permission, organisation permissions only
		// through ownership.
		holders = append(holders, fgaOwner+" from "+fgaOrgOf)
		fmt.Fprintf(&b, "    define %s: %s\n", name, strings.Join(holders, " or "))
	}
	n.view = n.perms[access.ViewAccount]
	return b.String(), n, nil
}

// prepareOpenFGA generates the model of the set's roles and turns the set
// into relationship tuples: each account's organisation, each Owner, and
// each grant. It fails on a time-bound grant, which the model cannot
// express.
//
// The benchmarks give OpenFGA the tenth set (Tenth), not the full one.
// Its memory datastore (its only one that needs no database server) keeps
// a store's tuples in one unindexed slice: every read scans all of them,
// and every Write compares each new tuple with every stored one. On the
// full set (301,019 tuples, 2 shared cores, rough figures) Build took
// 23 min 38 s, Check about 95 ms, ListObjects 160 to 200 ms, ListUsers
// about 200 ms and SetRole 200 to 400 ms, the answers all right: Build
// grows with the square of the tuples, a check in proportion to them.
func prepareOpenFGA(s *Set) (Source, error) {
	dsl, names, err := openfgaDSL(s)
	if err != nil {
		return nil, err
	}
	model, err := transformer.TransformDSLToProto(dsl)
	if err != nil {
		return nil, fmt.Errorf("openfga: model: %w", err)
	}
	for _, g := range s.Grants {
		if !g.ExpiresAt.IsZero() {
			return nil, fmt.Errorf("openfga: grant of %s on %s ends at %v: the model has no time-bound grants", g.User, g.Account, g.ExpiresAt)
		}
	}
	grants := s.Grants
	tuples := make([]*openfgav1.TupleKey, 0, len(s.Accounts)+len(s.Memberships)+len(grants))
	for _, a := range s.Accounts {
		tuples = append(tuples, &openfgav1.TupleKey{
			Object: fgaAccount + ":" + string(a.ID), Relation: fgaOrgOf, User: fgaOrganisation + ":" + string(a.Org),
		})
	}
	for _, o := range s.Organisations {
		for _, u := range s.OwnersOf[o.ID] {
			tuples = append(tuples, &openfgav1.TupleKey{
				Object: fgaOrganisation + ":" + string(o.ID), Relation: fgaOwner, User: fgaUser + ":" + string(u),
			})
		}
	}
	for _, g := range grants {
		rel, ok := names.roles[g.Role]
		if !ok {
			return nil, fmt.Errorf("openfga: grant of %s on %s has unknown role %q", g.User, g.Account, g.Role)
		}
		tuples = append(tuples, &openfgav1.TupleKey{
			Object: fgaAccount + ":" + string(g.Account), Relation: rel, User: fgaUser + ":" + string(g.User),
		})
	}
	return &openfgaSource{model: model, tuples: tuples, names: names}, nil
}

// Build starts an embedded OpenFGA server on a new in-memory datastore,
// creates a store, writes the model and then every tuple through the
// server's Write API, as an application would.
//
// The memory datastore's per-write limit (100 tuples by default) is
// raised to the whole set, so that the tuples go in one Write request:
// that is the fastest way in. The datastore's Write copies every stored
// tuple once per request (allocating), and compares each new tuple with
// every stored one (the ones written before the request, and those of the
// request before it), so that loading n tuples costs O(n²) comparisons
// however they are batched; one request saves the copies and the first
// comparisons (on the tenth set: 6 s, against 12 to 15 s in batches of
// 100). Writing straight into the datastore
// (storage.OpenFGADatastore.Write) runs that same function and skips only
// the request validation, under a tenth of the time, so the documented
// server API is used.
func (src *openfgaSource) Build() (Engine, error) {
	ctx := context.Background()
	ds := memory.New(memory.WithMaxTuplesPerWrite(max(len(src.tuples), 1)))
	srv, err := server.NewServerWithOpts(
		server.WithDatastore(ds),
		// No logging (this is also the default; tracing stays off as no
		// OpenTelemetry provider is installed). OpenFGA's Prometheus
		// metrics are package-level collectors and cannot be turned off.
		server.WithLogger(logger.NewNoopLogger()),
		server.WithListObjectsMaxResults(fgaListObjectsMaxResults),
		server.WithListObjectsDeadline(fgaDeadline),
		server.WithListUsersMaxResults(fgaListUsersMaxResults),
		server.WithListUsersDeadline(fgaDeadline),
		server.WithRequestTimeout(fgaDeadline),
		// Caches are left at their defaults: the check query cache, the
		// check and ListObjects iterator caches, the shared iterator and
		// the cache controller are all off; the authorization model and
		// type system caches (100,000 entries each) are on. The check
		// query cache would keep an answer for its TTL (10 s) after a
		// write, so that SetRole then Check could answer from before the
		// change (it does, even with the cache controller on).
		//
		// The performance settings were tried on this workload and left
		// at their defaults, none being materially faster: the
		// experimental flags enable-check-optimizations and
		// weighted_graph_check (alone or together), the ListObjects
		// pipeline off (it is on by default), a resolve breadth limit of
		// 100 (default 10), and dispatch throttling. Every check here
		// costs its datastore scans, which no resolver setting saves.
	)
	if err != nil {
		ds.Close()
		return nil, fmt.Errorf("openfga: new server: %w", err)
	}
	e := &openfgaEngine{srv: srv, names: src.names}
	fail := func(what string, err error) (Engine, error) {
		srv.Close()
		return nil, fmt.Errorf("openfga: %s: %w", what, err)
	}
	st, err := srv.CreateStore(ctx, &openfgav1.CreateStoreRequest{Name: "orgspace-bench"})
	if err != nil {
		return fail("create store", err)
	}
	e.store = st.GetId()
	m, err := srv.WriteAuthorizationModel(ctx, &openfgav1.WriteAuthorizationModelRequest{
		StoreId:         e.store,
		TypeDefinitions: src.model.GetTypeDefinitions(),
		SchemaVersion:   src.model.GetSchemaVersion(),
		Conditions:      src.model.GetConditions(),
	})
	if err != nil {
		return fail("write model", err)
	}
	e.model = m.GetAuthorizationModelId()
	if len(src.tuples) > 0 {
		_, err = srv.Write(ctx, &openfgav1.WriteRequest{
			StoreId:              e.store,
			AuthorizationModelId: e.model,
			Writes:               &openfgav1.WriteRequestWrites{TupleKeys: src.tuples},
		})
		if err != nil {
			return fail(fmt.Sprintf("write %d tuples", len(src.tuples)), err)
		}
	}
	return e, nil
}

// openfgaEngine answers through an embedded OpenFGA server's API: Check,
// ListObjects, ListUsers and Write, each request naming the model written
// by Build (saving the lookup of the store's latest model).
type openfgaEngine struct {
	srv   *server.Server
	store string
	model string
	names *fgaNames
}

// Close closes the server and its datastore.
func (e *openfgaEngine) Close() error {
	e.srv.Close()
	return nil
}

// Check asks the server whether user holds can_<p> on account.
func (e *openfgaEngine) Check(user org.UserID, account org.AccountID, p access.Permission) (bool, error) {
	rel, ok := e.names.perms[p]
	if !ok {
		return false, fmt.Errorf("openfga: permission %v is unknown", p)
	}
	res, err := e.srv.Check(context.Background(), &openfgav1.CheckRequest{
		StoreId:              e.store,
		AuthorizationModelId: e.model,
		TupleKey: &openfgav1.CheckRequestTupleKey{
			User: fgaUser + ":" + string(user), Relation: rel, Object: fgaAccount + ":" + string(account),
		},
	})
	if err != nil {
		return false, fmt.Errorf("openfga: check %s %s %s: %w", user, rel, account, err)
	}
	return res.GetAllowed(), nil
}

// AccountsOf lists the accounts on which user holds can_<view account>:
// every role holds it (prepareOpenFGA checks), and so does an Owner.
func (e *openfgaEngine) AccountsOf(user org.UserID) ([]org.AccountID, error) {
	start := time.Now()
	res, err := e.srv.ListObjects(context.Background(), &openfgav1.ListObjectsRequest{
		StoreId:              e.store,
		AuthorizationModelId: e.model,
		Type:                 fgaAccount,
		Relation:             e.names.view,
		User:                 fgaUser + ":" + string(user),
	})
	if err != nil {
		return nil, fmt.Errorf("openfga: list accounts of %s: %w", user, err)
	}
	// ListObjects returns what it has when it reaches its deadline or
	// its maximum, without saying so.
	objs := res.GetObjects()
	if took := time.Since(start); took >= fgaDeadline || len(objs) >= fgaListObjectsMaxResults {
		return nil, fmt.Errorf("openfga: accounts of %s may be incomplete: %d in %v", user, len(objs), took)
	}
	out := make([]org.AccountID, 0, len(objs))
	for _, o := range objs {
		id, ok := strings.CutPrefix(o, fgaAccount+":")
		if !ok {
			return nil, fmt.Errorf("openfga: accounts of %s: unexpected object %q", user, o)
		}
		out = append(out, org.AccountID(id))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// UsersOfAccount lists the users holding grantee (any role) on account:
// the holders of a grant, not the Owners.
func (e *openfgaEngine) UsersOfAccount(account org.AccountID) ([]org.UserID, error) {
	start := time.Now()
	res, err := e.srv.ListUsers(context.Background(), &openfgav1.ListUsersRequest{
		StoreId:              e.store,
		AuthorizationModelId: e.model,
		Object:               &openfgav1.Object{Type: fgaAccount, Id: string(account)},
		Relation:             fgaGrantee,
		UserFilters:          []*openfgav1.UserTypeFilter{{Type: fgaUser}},
	})
	if err != nil {
		return nil, fmt.Errorf("openfga: list users of %s: %w", account, err)
	}
	// ListUsers, like ListObjects, returns partial results at its
	// deadline without saying so.
	users := res.GetUsers()
	if took := time.Since(start); took >= fgaDeadline || fgaListUsersMaxResults > 0 && len(users) >= fgaListUsersMaxResults {
		return nil, fmt.Errorf("openfga: users of %s may be incomplete: %d in %v", account, len(users), took)
	}
	out := make([]org.UserID, 0, len(users))
	for _, u := range users {
		obj := u.GetObject()
		if obj.GetType() != fgaUser {
			return nil, fmt.Errorf("openfga: users of %s: unexpected user %v", account, u)
		}
		out = append(out, org.UserID(obj.GetId()))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// SetRole replaces the role tuple of the grant in one Write request: the
// delete and the write are applied together.
func (e *openfgaEngine) SetRole(user org.UserID, account org.AccountID, from, to access.RoleID) error {
	fromRel, ok := e.names.roles[from]
	if !ok {
		return fmt.Errorf("openfga: role %q is unknown", from)
	}
	toRel, ok := e.names.roles[to]
	if !ok {
		return fmt.Errorf("openfga: role %q is unknown", to)
	}
	if from == to {
		return nil // OpenFGA refuses a request that deletes and writes the same tuple
	}
	u, obj := fgaUser+":"+string(user), fgaAccount+":"+string(account)
	_, err := e.srv.Write(context.Background(), &openfgav1.WriteRequest{
		StoreId:              e.store,
		AuthorizationModelId: e.model,
		Deletes:              &openfgav1.WriteRequestDeletes{TupleKeys: []*openfgav1.TupleKeyWithoutCondition{{User: u, Relation: fromRel, Object: obj}}},
		Writes:               &openfgav1.WriteRequestWrites{TupleKeys: []*openfgav1.TupleKey{{User: u, Relation: toRel, Object: obj}}},
	})
	if err != nil {
		return fmt.Errorf("openfga: set role of %s on %s from %s to %s: %w", user, account, from, to, err)
	}
	return nil
}
