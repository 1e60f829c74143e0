// A resource server in a process of its own: it accepts the sample server's access tokens with only
// Veza.Authentication.JwtBearer (no stores), and follows the server's change feed so a revoked token is refused here
// within a second. Start the sample server first: dotnet run --project samples/Veza.Authentication.Samples.Server
var builder = WebApplication.CreateBuilder(args);

var veza = builder.Configuration.GetSection("Veza");
builder.Services.AddAuthentication()
    .AddVezaJwtBearer(veza["Issuer"] ?? "http://127.0.0.1:5080", options => veza.Bind(options));

// The principal carries the token's scopes as veza_permission claims, as the server's own principal does.
builder.Services.AddAuthorizationBuilder()
    .AddPolicy("graph:read", p => p.RequireClaim("veza_permission", "graph:read"));

var app = builder.Build();

app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();

app.MapGet("/api/me", (HttpContext context) => Results.Ok(new
{
    subject = context.User.FindFirst("sub")?.Value,
    principal_type = context.User.FindFirst("veza_principal_type")?.Value,
    team_id = context.User.FindFirst("veza_team_id")?.Value,
    client_id = context.User.FindFirst("client_id")?.Value,
    scopes = context.User.FindAll("scope").Select(c => c.Value).ToArray(),
    authentication_method = context.User.FindFirst("veza_auth_method")?.Value,
})).RequireAuthorization();

app.MapGet("/api/graph", () => Results.Ok(new { nodes = Array.Empty<string>() })).RequireAuthorization("graph:read");

app.Run();
