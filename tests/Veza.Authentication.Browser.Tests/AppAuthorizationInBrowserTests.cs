extern alias server;
extern alias webapp;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NUnit.Framework.Interfaces;
using Veza.Authentication.Diagnostics;
using static Microsoft.Playwright.Assertions;

namespace Veza.Authentication.Browser.Tests;

/// <summary>
/// "Sign in with Veza" in a real browser: the sample web app (a third-party app on ASP.NET Core's OAuth handler) and the
/// sample server, both on Kestrel on the loopback address, driven through Debian's Chromium by Playwright. The user
/// signs in on the server's page, consents, and comes back to the app, which calls the API with the access token.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AppAuthorizationInBrowserTests
{
    private const string ChromiumPath = BrowserTestPlaces.ChromiumPath;
    private const string ClientId = "sample-webapp";

    // The seeded users (samples/Veza.Authentication.Samples.Server/appsettings.Development.json). Each test that
    // consents uses a user of its own, so a consent one test remembers cannot skip another test's consent page.
    private const string RootAdmin = "root-admin", RootAdminPassword = "root-admin-sample-password";
    private const string EngAdmin = "eng-admin", EngAdminPassword = "eng-admin-sample-password";
    private const string EngViewer = "eng-viewer", EngViewerPassword = "eng-viewer-sample-password";

    private SampleHost<server::Program>? _server;
    private SampleHost<webapp::Program>? _webApp;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IBrowserContext? _context;
    private IPage? _page;
    private readonly List<string> _consoleErrors = [];
    private string _serverUrl = "";
    private readonly string _serverDatabase = Path.Combine(Path.GetTempPath(), $"veza-browser-test-{Guid.NewGuid():N}.db");
    private string _webAppUrl = "";

    /// <summary>The server's audit events, to see what the web app did at the server.</summary>
    private sealed class RecordingAuditSink : IVezaAuditSink
    {
        public ConcurrentQueue<VezaAuditEvent> Events { get; } = new();

        public ValueTask WriteAsync(VezaAuditEvent auditEvent, CancellationToken cancellationToken)
        {
            Events.Enqueue(auditEvent);
            return ValueTask.CompletedTask;
        }
    }

    private readonly RecordingAuditSink _audit = new();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"The browser tests need Debian's Chromium at {ChromiumPath}: install it with 'apt-get install -y chromium' " +
                "(./test.sh does so). Playwright's own browsers are never downloaded.");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var ports = BrowserTestPlaces.FreePorts(2);
        var (serverPort, webAppPort) = (ports[0], ports[1]);
        _serverUrl = $"http://127.0.0.1:{serverPort}";
        _webAppUrl = $"http://127.0.0.1:{webAppPort}";

        _server = new SampleHost<server::Program>("Development", new()
        {
            // A database of the run's own: a fresh seed, and no consent remembered from an earlier run.
            ["ConnectionStrings:VezaSqlite"] = $"Data Source={_serverDatabase}",
            ["Veza:Authentication:OAuth2:Issuer"] = _serverUrl,
            ["Veza:Seed:OAuth2Apps:0:BaseUrl"] = _webAppUrl,
            ["Veza:Seed:OAuth2Apps:0:RedirectUris:0"] = _webAppUrl + "/signin-veza",
        }, services => services.AddSingleton<IVezaAuditSink>(_audit));
        _server.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, serverPort));
        _server.StartServer();

        _webApp = new SampleHost<webapp::Program>("Development", new() { ["VezaServer:Url"] = _serverUrl });
        _webApp.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, webAppPort));
        _webApp.StartServer();

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_webApp is not null)
        {
            await _webApp.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        BrowserTestPlaces.DeleteDatabase(_serverDatabase);
    }

    [SetUp]
    public async Task OpenPageAsync()
    {
        // A context per test: its own cookies, so every test starts signed out of both sites.
        _context = await _browser!.NewContextAsync();
        _page = await _context.NewPageAsync();
        _page.SetDefaultTimeout(15_000);
        _consoleErrors.Clear();
        _page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _consoleErrors.Add(message.Text);
            }
        };
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        if (_page is not null && TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync($"The page was at {_page.Url}");
            try
            {
                var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"{TestContext.CurrentContext.Test.Name}.png");
                await _page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
                TestContext.AddTestAttachment(file, "the page when the test failed");
            }
            catch (PlaywrightException)
            {
                // No screenshot: the failure itself says what went wrong.
            }
        }

        if (_context is not null)
        {
            await _context.CloseAsync();
        }
    }

    [Test]
    public async Task The_sign_in_page_refuses_a_wrong_password_or_user_alike_and_signs_a_seeded_user_in()
    {
        var page = _page!;
        await page.GotoAsync(_serverUrl + "/account/signin");

        await FillSignInAsync(page, RootAdmin, "not-the-password");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Sign-in failed: the username or password is incorrect.");
        await FillSignInAsync(page, "nobody", "not-the-password");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Sign-in failed: the username or password is incorrect.");
        await FillSignInAsync(page, EngViewer, EngViewerPassword);

        await Expect(page.Locator(".status")).ToContainTextAsync("You are signed in as Engineering viewer (eng-viewer)");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Test]
    public async Task The_web_app_sends_the_browser_to_the_authorization_endpoint_with_pkce_and_the_server_asks_to_sign_in()
    {
        var page = _page!;
        await page.GotoAsync(_webAppUrl + "/");

        var authorize = await page.RunAndWaitForRequestAsync(
            () => page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Veza" }).ClickAsync(),
            request => request.Url.StartsWith(_serverUrl + "/oauth2/authorize?", StringComparison.Ordinal));
        var query = QueryHelpers.ParseQuery(new Uri(authorize.Url).Query);

        Assert.Multiple(() =>
        {
            Assert.That(query["response_type"].ToString(), Is.EqualTo("code"));
            Assert.That(query["client_id"].ToString(), Is.EqualTo(ClientId));
            Assert.That(query["redirect_uri"].ToString(), Is.EqualTo(_webAppUrl + "/signin-veza"));
            Assert.That(query["code_challenge_method"].ToString(), Is.EqualTo("S256"));
            Assert.That(query["code_challenge"].ToString(), Does.Match("^[A-Za-z0-9_-]{43}$"), "a base64url SHA-256");
            Assert.That(query["scope"].ToString().Split(' '), Is.EquivalentTo(new[] { "graph:read", "users:read", "offline_access" }));
            Assert.That(query["state"].ToString(), Is.Not.Empty);
        });
        await ExpectOnPageAsync(page, "the server's sign-in page", () => Expect(page.GetByLabel("Username")).ToBeVisibleAsync());
        Assert.That(page.Url, Does.StartWith(_serverUrl + "/account/signin"));
    }

    [Test]
    public async Task A_user_who_signs_in_and_allows_the_app_comes_back_signed_in_and_the_app_reads_the_api_for_them()
    {
        var page = _page!;
        await SignInThroughTheAppAsync(page, RootAdmin, RootAdminPassword);

        await ExpectOnPageAsync(page, "the consent page", () => Expect(page.GetByRole(AriaRole.Button, new() { Name = "Allow", Exact = true })).ToBeVisibleAsync());
        await Expect(page.Locator("body")).ToContainTextAsync("Sample Web App");
        var team = page.GetByRole(AriaRole.Combobox, new() { Name = "Team" });
        if (await team.CountAsync() > 0)
        {
            await team.SelectOptionAsync(new SelectOptionValue { Value = "root" });
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Allow", Exact = true }).ClickAsync();

        await ExpectOnPageAsync(page, "the web app, signed in", () => Expect(page.Locator("#user")).ToBeVisibleAsync());
        Assert.That(page.Url, Is.EqualTo(_webAppUrl + "/"));
        await Expect(page.Locator("#user")).ToContainTextAsync("Root administrator");
        await Expect(page.Locator("#user")).ToContainTextAsync("root-admin");
        await Expect(page.Locator("#me-status")).ToHaveTextAsync("200 OK");
        await Expect(page.Locator("#me")).ToContainTextAsync("\"subject\": \"user:root-admin\"");
        await Expect(page.Locator("#me")).ToContainTextAsync("\"name\": \"Root administrator\"");
        await Expect(page.Locator("#graph-status")).ToHaveTextAsync("200 OK");
        await Expect(page.Locator("#graph")).ToContainTextAsync("\"nodes\"");

        // Signing out of the app revokes what it holds at the server (RFC 7009).
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await ExpectOnPageAsync(page, "the web app, signed out", () => Expect(page.GetByText("Sign in with Veza")).ToBeVisibleAsync());
        Assert.That(_audit.Events.Any(e => e.Action == "oauth2.refresh_token.revoke" && e.TargetId == ClientId), Is.True,
            "the server recorded the revocation of the app's refresh token");
    }

    [Test]
    public async Task A_user_who_denies_the_app_comes_back_to_it_with_access_denied()
    {
        var page = _page!;
        await SignInThroughTheAppAsync(page, EngAdmin, EngAdminPassword);

        await ExpectOnPageAsync(page, "the consent page", () => Expect(page.GetByRole(AriaRole.Button, new() { Name = "Deny", Exact = true })).ToBeVisibleAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Deny", Exact = true }).ClickAsync();

        await ExpectOnPageAsync(page, "the web app's error page", () => Expect(page.Locator("#error")).ToHaveTextAsync("access_denied"));
        Assert.That(page.Url, Does.StartWith(_webAppUrl + "/signin-veza"));
        await page.GotoAsync(_webAppUrl + "/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Veza" })).ToBeVisibleAsync();
    }

    // From the web app's home page to the server's sign-in page, and through it.
    private async Task SignInThroughTheAppAsync(IPage page, string username, string password)
    {
        await page.GotoAsync(_webAppUrl + "/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Veza" }).ClickAsync();
        await ExpectOnPageAsync(page, "the server's sign-in page", () => Expect(page.GetByLabel("Username")).ToBeVisibleAsync());
        await FillSignInAsync(page, username, password);
    }

    private static async Task FillSignInAsync(IPage page, string username, string password)
    {
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    // A Playwright expectation whose failure also says where the browser ended up, what it showed and what the browser
    // refused (a Content-Security-Policy that blocks a form's redirect shows only there).
    private async Task ExpectOnPageAsync(IPage page, string what, Func<Task> expectation)
    {
        try
        {
            await expectation();
        }
        catch (PlaywrightException e)
        {
            var text = await page.Locator("body").InnerTextAsync(new() { Timeout = 2_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(none)",
                TaskScheduler.Default);
            var console = _consoleErrors.Count == 0 ? "" : "\nBrowser console errors:\n" + string.Join("\n", _consoleErrors) + "\n";
            Assert.Fail($"Expected {what}, but the browser is at {page.Url} showing:\n{Shorten(text)}\n{console}\n{e.Message}");
        }
    }

    private static string Shorten(string text) => text.Length <= 2000 ? text : text[..2000] + "…";
}
