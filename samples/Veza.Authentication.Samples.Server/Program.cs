using Microsoft.AspNetCore.Authorization;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Principals;
using Veza.Authentication.Samples.Server;

// `dotnet run -- new-api-key [prefix]` prints a fresh, valid key string (for the seed) and exits.
if (args.Length > 0 && args[0] == "new-api-key")
{
    Console.WriteLine(ApiKeyFormat.Generate(args.Length > 1 ? args[1] : ApiKeyFormat.DefaultPrefix));
    return;
}

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddVezaAuthentication(options =>
    {
        builder.Configuration.GetSection("Veza:Authentication").Bind(options);

        // Apps send their users to the authorization endpoint, which reads the signed-in user from the sample's cookie
        // (signing them in at /account/signin first). API calls keep using the default scheme, Veza.
        options.OAuth2.InteractiveScheme = SampleAccountEndpoints.CookieScheme;

        // Veza's roles: the root team can hold admin, operator, access_reviewer and viewer; other teams operator or
        // viewer; team keys act as oaa_push, which may only push integration data and read users.
        options.AddRole("admin", SamplePermissions.All);
        options.AddRole("operator", SamplePermissions.GraphRead, SamplePermissions.IntegrationsPush, SamplePermissions.UsersRead);
        options.AddRole("access_reviewer", SamplePermissions.GraphRead, SamplePermissions.ReviewsManage);
        options.AddRole("viewer", SamplePermissions.GraphRead, SamplePermissions.UsersRead);
        options.AddRole("oaa_push", SamplePermissions.IntegrationsPush, SamplePermissions.UsersRead);

        // Resource servers in other processes (samples/Veza.Authentication.Samples.ResourceServer) read the change feed as
        // a root-team client of this role, whose one permission is the feed's scope.
        options.AddRole("resource_server", options.OAuth2.ChangeFeedScope);

        // Words for the scopes on the consent page and the administration pages.
        options.OAuth2.ScopeDescriptions[SamplePermissions.GraphRead] = "Read the access graph";
        options.OAuth2.ScopeDescriptions[SamplePermissions.IntegrationsPush] = "Push integration data";
        options.OAuth2.ScopeDescriptions[SamplePermissions.UsersRead] = "Read users";
        options.OAuth2.ScopeDescriptions[SamplePermissions.ReviewsManage] = "Manage access reviews";
        options.OAuth2.ScopeDescriptions[options.OAuth2.ChangeFeedScope] = "Follow revocations and key changes (resource servers)";
    })
    .AddSampleStorage(builder.Configuration, builder.Environment);
builder.Services.AddSampleAccounts();

// Administration > API Keys and Sign-in Settings, at /admin, for users signed in with the sample's cookie.
builder.Services.AddVezaAdministration(options => options.AccountPath = SampleAccountEndpoints.SignInPath);
builder.Services.AddHostedService<SampleSeeder>();
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(SamplePermissions.GraphRead, p => p.RequireVezaPermission(SamplePermissions.GraphRead))
    .AddPolicy(SamplePermissions.IntegrationsPush, p => p.RequireVezaPermission(SamplePermissions.IntegrationsPush))
    .AddPolicy(SamplePermissions.UsersRead, p => p.RequireVezaPermission(SamplePermissions.UsersRead));

var app = builder.Build();

app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();

// One handler mapped twice, open to anyone and behind a credential: the pair the load test compares.
app.MapGet("/ping", Ping).AllowAnonymous();
app.MapGet("/api/ping", Ping).RequireAuthorization();

app.MapGet("/api/me", (HttpContext context) =>
{
    var user = context.User;
    return Results.Ok(new
    {
        subject = user.FindFirst(VezaClaimTypes.Subject)?.Value,
        name = user.FindFirst(VezaClaimTypes.Name)?.Value,
        principal_type = user.FindFirst(VezaClaimTypes.PrincipalType)?.Value,
        team_id = user.FindFirst(VezaClaimTypes.TeamId)?.Value,
        roles = user.FindAll(VezaClaimTypes.Role).Select(c => c.Value).ToArray(),
        permissions = user.FindAll(VezaClaimTypes.Permission).Select(c => c.Value).ToArray(),
        authentication_method = user.FindFirst(VezaClaimTypes.AuthenticationMethod)?.Value,
        credential_id = user.FindFirst(VezaClaimTypes.CredentialId)?.Value,
    });
}).RequireAuthorization();

// Stand-ins for a real API, each guarded by one permission.
app.MapGet("/api/graph", () => Results.Ok(new { nodes = Array.Empty<string>() })).RequireAuthorization(SamplePermissions.GraphRead);
app.MapPost("/api/integrations/push", () => Results.Ok(new { accepted = true })).RequireAuthorization(SamplePermissions.IntegrationsPush);
app.MapGet("/api/users/{id}", (string id) => Results.Ok(new { id })).RequireAuthorization(SamplePermissions.UsersRead);

app.MapSampleAccounts();
app.MapVezaManagement();
app.MapVezaOAuth2();
app.MapVezaAdministration("/admin");

app.Run();

static IResult Ping() => Results.Ok(new { message = "pong" });

/// <summary>The sample's permission names.</summary>
internal static class SamplePermissions
{
    public const string GraphRead = "graph:read";
    public const string IntegrationsPush = "integrations:push";
    public const string UsersRead = "users:read";
    public const string ReviewsManage = "reviews:manage";
    public static readonly string[] All = [GraphRead, IntegrationsPush, UsersRead, ReviewsManage];
}

/// <summary>The sample's entry point, public so that tests can host it.</summary>
public partial class Program;
