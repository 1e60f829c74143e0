extern alias server;

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using NUnit.Framework.Interfaces;
using static Microsoft.Playwright.Assertions;

namespace Veza.Authentication.Browser.Tests;

/// <summary>
/// Administration &gt; API Keys and Sign-in Settings in Debian's Chromium, against the sample server on Kestrel: what
/// an administrator does on the pages, checked over HTTP against what the credentials then do, and every page checked
/// for an accessible name on each control. With <c>VEZA_SCREENSHOTS</c> set to a folder, the pages are saved there
/// (the screenshots in docs/ come from it).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class AdministrationInBrowserTests
{
    private const string RootAdmin = "root-admin", RootAdminPassword = "root-admin-sample-password";
    private const string EngAdmin = "eng-admin", EngAdminPassword = "eng-admin-sample-password";
    private const string EngViewer = "eng-viewer", EngViewerPassword = "eng-viewer-sample-password";
    private const string AppId = "sample-webapp", AppSecret = "sample-webapp-secret-change-me-0123456789";

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"veza-admin-browser-{Guid.NewGuid():N}.db");
    private readonly string? _screenshots = Environment.GetEnvironmentVariable("VEZA_SCREENSHOTS");
    private SampleHost<server::Program>? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IBrowserContext? _context;
    private IPage? _page;
    private readonly HttpClient _http = new();
    private string _url = "";
    private string _appUrl = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (!File.Exists(BrowserTestPlaces.ChromiumPath))
        {
            Assert.Fail($"The browser tests need Debian's Chromium at {BrowserTestPlaces.ChromiumPath}: install it with 'apt-get install -y chromium' (./test.sh does so).");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var ports = BrowserTestPlaces.FreePorts(2);
        _url = $"http://127.0.0.1:{ports[0]}";
        // The seeded app's address: nothing listens there; the browser's visit to its redirect URI is answered by the test.
        _appUrl = $"http://127.0.0.1:{ports[1]}";
        _server = new SampleHost<server::Program>("Development", new()
        {
            ["ConnectionStrings:VezaSqlite"] = $"Data Source={_database}",
            ["Veza:Authentication:OAuth2:Issuer"] = _url,
            ["Veza:Seed:OAuth2Apps:0:BaseUrl"] = _appUrl,
            ["Veza:Seed:OAuth2Apps:0:RedirectUris:0"] = _appUrl + "/signin-veza",
        });
        _server.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, ports[0]));
        _server.StartServer();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = BrowserTestPlaces.ChromiumPath, Headless = true });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _http.Dispose();
        BrowserTestPlaces.DeleteDatabase(_database);
    }

    [SetUp]
    public async Task OpenPageAsync()
    {
        // The clipboard permission lets the Copy button be tried; each test starts signed out.
        _context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            Permissions = ["clipboard-read", "clipboard-write"],
            ViewportSize = new ViewportSize { Width = 1200, Height = 800 },
        });
        _page = await _context.NewPageAsync();
        _page.SetDefaultTimeout(15_000);
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        if (_page is not null && TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync($"The page was at {_page.Url}:\n{await _page.Locator("body").InnerTextAsync(new() { Timeout = 2_000 })}");
        }

        if (_context is not null)
        {
            await _context.CloseAsync();
        }
    }

    [Test]
    public async Task A_root_administrator_creates_a_team_key_and_revokes_and_reinstates_it_on_the_page()
    {
        var page = _page!;
        await SignInAsync(page, RootAdmin, RootAdminPassword, "/admin");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API Keys" })).ToBeVisibleAsync();
        await CheckPageAsync(page, "admin-personal");

        await page.GetByRole(AriaRole.Link, new() { Name = "Team", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add team key" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("browser-push");
        await page.GetByLabel("Team", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Engineering" });
        await CheckPageAsync(page, null);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        // The one-time view: the key, a warning, and a Copy button that the script shows and that copies it.
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("It will not be shown again");
        var key = (await page.Locator("#secret-value").TextContentAsync())!.Trim();
        Assert.That(key, Does.StartWith("veza_"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Expect(page.Locator("#copy-status")).ToHaveTextAsync("Copied to the clipboard.");
        Assert.That(await page.EvaluateAsync<string>("navigator.clipboard.readText()"), Is.EqualTo(key));
        await CheckPageAsync(page, "admin-key-created");
        Assert.That(page.Url, Does.Not.Contain(key.Split('_')[^1]), "the key never goes into a URL");
        Assert.That(await MeAsync(key), Is.EqualTo(HttpStatusCode.OK));

        // Revoke, with the keyboard: the link, then the confirmation's button.
        await page.GetByRole(AriaRole.Link, new() { Name = "Done" }).ClickAsync();
        await Expect(page.Locator("#credential-name")).ToHaveTextAsync("browser-push");
        await CheckPageAsync(page, "admin-key");
        await page.GetByRole(AriaRole.Link, new() { Name = "Revoke" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Revoke the team key “browser-push”?" })).ToBeVisibleAsync();
        await CheckPageAsync(page, "admin-confirm-revoke");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke key" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#credential-status")).ToHaveTextAsync("Revoked");
        await Expect(page.Locator("#page-message")).ToContainTextAsync("Revoked");
        Assert.That(await MeAsync(key), Is.EqualTo(HttpStatusCode.Unauthorized));

        await page.GetByRole(AriaRole.Button, new() { Name = "Reinstate" }).ClickAsync();
        await Expect(page.Locator("#credential-status")).ToHaveTextAsync("Active");
        Assert.That(await MeAsync(key), Is.EqualTo(HttpStatusCode.OK));

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the list" }).ClickAsync();
        await Expect(page.Locator("#credentials")).ToContainTextAsync("browser-push");
        await CheckPageAsync(page, "admin-team");
    }

    [Test]
    public async Task A_root_administrator_switches_the_oauth2_server_off_and_on()
    {
        var page = _page!;
        await SignInAsync(page, RootAdmin, RootAdminPassword, "/admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign-in Settings" }).ClickAsync();
        await Expect(page.Locator("#oauth2-state")).ToHaveTextAsync("On");
        await CheckPageAsync(page, "admin-sign-in-settings");

        await page.GetByRole(AriaRole.Link, new() { Name = "Turn off" }).ClickAsync();
        await CheckPageAsync(page, null);
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn off" }).ClickAsync();
        await Expect(page.Locator("#oauth2-state")).ToHaveTextAsync("Off");
        Assert.That((await _http.GetAsync(_url + "/.well-known/oauth-authorization-server")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await MeAsync("veza_hmCtZptxwwLdbT2d_qxK9JAvaai5psX7XCghIbTUWR46YNfovo9N6zr4hung377rNd"), Is.EqualTo(HttpStatusCode.OK),
            "API keys keep working");

        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Expect(page.Locator("#oauth2-state")).ToHaveTextAsync("On");
        Assert.That((await _http.GetAsync(_url + "/.well-known/oauth-authorization-server")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_client_registered_on_the_page_gets_a_token_with_its_secret()
    {
        var page = _page!;
        await SignInAsync(page, RootAdmin, RootAdminPassword, "/admin/api-keys/clients");
        await CheckPageAsync(page, "admin-clients");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add client" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("browser-sync");
        await page.GetByLabel("Team", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Engineering" });
        await page.GetByLabel("Role").SelectOptionAsync("operator");
        // The script shows only the role's permissions: reviews:manage is not one of operator's.
        await Expect(page.GetByLabel("reviews:manage")).ToBeHiddenAsync();
        await page.GetByLabel("graph:read").CheckAsync();
        await CheckPageAsync(page, "admin-client-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var clientId = (await page.Locator("#client-id").TextContentAsync())!.Trim();
        var secret = (await page.Locator("#secret-value").TextContentAsync())!.Trim();
        var token = await TokenAsync(clientId, secret, [new("grant_type", "client_credentials"), new("scope", "graph:read")]);
        Assert.That(await MeAsync(token), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_app_whose_redirect_uri_lies_outside_its_base_url_is_refused_beside_the_field()
    {
        var page = _page!;
        await SignInAsync(page, RootAdmin, RootAdminPassword, "/admin/api-keys/apps");
        await CheckPageAsync(page, "admin-apps");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add app" }).ClickAsync();
        await page.GetByLabel("Client Name").FillAsync("Graph Explorer");
        await page.GetByLabel("Base URL").FillAsync("https://explorer.example.com");
        await page.GetByLabel("Redirect URIs").FillAsync("https://elsewhere.example.net/callback");
        await page.GetByLabel("graph:read").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var field = page.GetByLabel("Redirect URIs");
        await Expect(page.Locator("#redirect_uris-error")).ToContainTextAsync("https://elsewhere.example.net/callback");
        await Expect(field).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(field).ToHaveValueAsync("https://elsewhere.example.net/callback");
        await CheckPageAsync(page, "admin-app-error");

        await field.FillAsync("https://explorer.example.com/callback");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#client-id")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#secret-value")).Not.ToBeEmptyAsync();

        // Edited later from what is stored; its secret stays.
        await page.GetByRole(AriaRole.Link, new() { Name = "Done" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Expect(page.GetByLabel("Redirect URIs")).ToHaveValueAsync("https://explorer.example.com/callback");
        await page.GetByLabel("Client Name").FillAsync("Graph Explorer 2");
        await CheckPageAsync(page, null);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#credential-name")).ToHaveTextAsync("Graph Explorer 2");
        await Expect(page.Locator("#secrets tbody tr")).ToHaveCountAsync(1);
        await CheckPageAsync(page, "admin-app");
    }

    [Test]
    public async Task A_viewer_finds_no_team_key_actions()
    {
        var page = _page!;
        await SignInAsync(page, EngViewer, EngViewerPassword, "/admin");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API Keys" })).ToBeVisibleAsync();
        var tabs = page.GetByRole(AriaRole.Navigation, new() { Name = "Credential kinds" });
        await Expect(tabs.GetByRole(AriaRole.Link)).ToHaveTextAsync(["Personal"]);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign-in Settings" })).ToHaveCountAsync(0);
        await CheckPageAsync(page, null);

        await page.GetByRole(AriaRole.Link, new() { Name = "Add personal key" }).ClickAsync();
        await Expect(page.Locator("#team-name")).ToHaveTextAsync("Engineering");
        await CheckPageAsync(page, null);

        await page.GotoAsync(_url + "/admin/api-keys/team");
        await Expect(page.Locator("#page-error")).ToContainTextAsync("Only an administrator");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add team key" })).ToHaveCountAsync(0);
        await Expect(page.Locator("#credentials")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task An_engineering_administrator_sees_engineering_only()
    {
        var page = _page!;
        await SignInAsync(page, EngAdmin, EngAdminPassword, "/admin");
        await Expect(page.Locator("#acting-team")).ToHaveTextAsync("Engineering");
        var tabs = page.GetByRole(AriaRole.Navigation, new() { Name = "Credential kinds" });
        await Expect(tabs.GetByRole(AriaRole.Link)).ToHaveTextAsync(["Personal", "Team", "OAuth2 Clients"]);
        await Expect(page.Locator("#credentials")).ToContainTextAsync("eng-viewer-cli");
        await Expect(page.Locator("#credentials")).Not.ToContainTextAsync("root-admin-cli");

        await tabs.GetByRole(AriaRole.Link, new() { Name = "OAuth2 Clients" }).ClickAsync();
        await Expect(page.Locator("#credentials")).ToContainTextAsync("engineering-worker");
        await Expect(page.Locator("#credentials")).Not.ToContainTextAsync("sample-resource-server");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add client" }).ClickAsync();
        await Expect(page.Locator("#team-name")).ToHaveTextAsync("Engineering");
        await CheckPageAsync(page, null);
    }

    [Test]
    public async Task Removing_an_authorized_app_refuses_its_token()
    {
        var page = _page!;
        var token = await AuthorizeTheSampleAppAsync(page, EngAdmin, EngAdminPassword);
        Assert.That(await MeAsync(token), Is.EqualTo(HttpStatusCode.OK));

        await page.GotoAsync(_url + "/admin/authorized-apps");
        await Expect(page.Locator("#authorized-apps")).ToContainTextAsync("Sample Web App");
        await CheckPageAsync(page, "admin-authorized-apps");
        await page.GetByRole(AriaRole.Link, new() { Name = "Remove access of Sample Web App" }).ClickAsync();
        await CheckPageAsync(page, null);
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove access" }).ClickAsync();
        await Expect(page.Locator("#page-message")).ToContainTextAsync("Access removed");
        await Expect(page.Locator("#empty")).ToBeVisibleAsync();
        Assert.That(await MeAsync(token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    // Through the authorization endpoint as the seeded app would send a user: sign in, allow, and the code exchanged
    // for an access token. Nothing listens at the app's address: the browser's visit to its redirect URI is answered here.
    private async Task<string> AuthorizeTheSampleAppAsync(IPage page, string user, string password)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        var redirectUri = _appUrl + "/signin-veza";
        await page.RouteAsync(redirectUri + "**", route => route.FulfillAsync(new() { Status = 200, ContentType = "text/plain", Body = "back at the app" }));
        var authorize = QueryHelpers.AddQueryString(_url + "/oauth2/authorize", new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = AppId, ["redirect_uri"] = redirectUri, ["scope"] = "graph:read",
            ["state"] = "s1", ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
        });
        await page.GotoAsync(authorize);
        await FillSignInAsync(page, user, password);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Allow", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("#scopes")).ToContainTextAsync("Read the access graph (graph:read)");
        await CheckPageAsync(page, "consent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Allow", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(redirectUri)));
        var code = QueryHelpers.ParseQuery(new Uri(page.Url).Query)["code"].ToString();

        return await TokenAsync(AppId, AppSecret,
            [new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", redirectUri), new("code_verifier", verifier)]);
    }

    // An access token from the token endpoint, with the client's secret by Basic authentication.
    private async Task<string> TokenAsync(string clientId, string secret, KeyValuePair<string, string>[] form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url + "/oauth2/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    private async Task SignInAsync(IPage page, string user, string password, string returnPath)
    {
        await page.GotoAsync(_url + returnPath);
        await Expect(page.GetByLabel("Username")).ToBeVisibleAsync();
        await FillSignInAsync(page, user, password);
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(_url + "/admin")));
    }

    private static async Task FillSignInAsync(IPage page, string user, string password)
    {
        await page.GetByLabel("Username").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    private async Task<HttpStatusCode> MeAsync(string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _url + "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>
    /// Every control of the page has an accessible name, as Chromium computes it (the accessibility tree Playwright
    /// reads); and, when screenshots are asked for, the page is saved under <paramref name="name"/>.
    /// </summary>
    private async Task CheckPageAsync(IPage page, string? name)
    {
        var tree = await page.Locator("body").AriaSnapshotAsync();
        var controls = Control().Matches(tree).ToList();
        Assert.That(controls, Is.Not.Empty, "the page has controls");
        var unnamed = controls.Where(m => !m.Groups["name"].Success || m.Groups["name"].Value.Trim('"').Trim().Length == 0).Select(m => m.Value.Trim()).ToList();
        Assert.That(unnamed, Is.Empty, $"every control on {page.Url} has an accessible name:\n{tree}");
        if (_screenshots is { Length: > 0 } folder && name is not null)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // A control in Playwright's ARIA snapshot: "- button \"Copy\"", "- textbox \"Name\"", or without a name "- textbox".
    [GeneratedRegex("^\\s*- (?<role>button|link|textbox|searchbox|checkbox|radio|combobox|spinbutton|switch|slider)(?: (?<name>\"[^\"]*\"))?", RegexOptions.Multiline)]
    private static partial Regex Control();
}
