using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Options;
using Veza.Authentication.Samples.WebApp;

// A third-party web app that signs its users in with Veza (authorization code + PKCE) and calls the Veza API for them.
// It knows nothing of the library: only the server's URL, its client id and secret, and the scopes it asks for.
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddOptions<VezaServerOptions>().BindConfiguration(VezaServerOptions.Section);
builder.Services.AddHttpClient(VezaApiClient.HttpClientName,
    (services, http) => http.BaseAddress = new Uri(services.GetRequiredService<IOptions<VezaServerOptions>>().Value.BaseUrl + "/"));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddTransient<VezaApiClient>();
builder.Services.AddAntiforgery(options => options.Cookie.Name = ".Veza.WebApp.Antiforgery");
builder.Services
    .AddAuthentication(options =>
    {
        options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        options.DefaultChallengeScheme = VezaServerOptions.Scheme;
    })
    .AddCookie(options =>
    {
        // Cookies are not separated by port: a name of its own keeps it apart from the server's on 127.0.0.1.
        options.Cookie.Name = ".Veza.WebApp.Session";
        options.LoginPath = "/signin";
    })
    .AddOAuth(VezaServerOptions.Scheme, "Veza", _ => { });
builder.Services.AddOptions<OAuthOptions>(VezaServerOptions.Scheme).Configure<IOptions<VezaServerOptions>>(VezaSignIn.Configure);

var app = builder.Build();

app.MapGet("/", async (HttpContext context, VezaApiClient api, IAntiforgery antiforgery) =>
{
    var user = context.User;
    if (user.Identity?.IsAuthenticated != true)
    {
        return Pages.Result("Sample Web App", Pages.SignedOut());
    }

    var answers = await api.GetAsync(context, "/api/me", "/api/graph");
    var tokens = antiforgery.GetAndStoreTokens(context);
    var signOutToken = $"""<input type="hidden" name="{HtmlEncoder.Default.Encode(tokens.FormFieldName)}" value="{HtmlEncoder.Default.Encode(tokens.RequestToken ?? "")}">""";
    var subject = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
    return Pages.Result("Sample Web App", Pages.SignedIn(user.Identity.Name ?? subject, subject, answers, signOutToken));
});

// Starts "Sign in with Veza": the OAuth handler sends the browser to the server's authorization endpoint.
app.MapGet("/signin", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [VezaServerOptions.Scheme]));

app.MapPost("/signout", async (HttpContext context, IAntiforgery antiforgery, VezaApiClient api) =>
{
    if (!await antiforgery.IsRequestValidAsync(context))
    {
        return Results.BadRequest();
    }

    // Signing out here also ends what the app holds at the server: its refresh token's grant, with the access token.
    await api.RevokeAsync(context);
    await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    return Results.Redirect("/");
});

app.Run();

/// <summary>The app's entry point, public so that tests can host it.</summary>
public partial class Program;
