using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Veza.Authentication.Tests;

/// <summary>
/// Packs the library with <c>dotnet pack</c> and builds and runs a separate project that references the
/// package (not the project) from a local folder: what a user gets from the feed.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PackageConsumptionTests
{
    private string _work = null!;
    private string _feed = null!;
    private string _version = null!;
    private string _package = null!;

    [OneTimeSetUp]
    public async Task PackAsync()
    {
        _work = Path.Combine(Path.GetTempPath(), "veza-package-test-" + Guid.NewGuid().ToString("N"));
        _feed = Path.Combine(_work, "feed");
        Directory.CreateDirectory(_feed);
        _version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var project = Path.Combine(RepositoryRoot(), "src", "Veza.Authentication", "Veza.Authentication.csproj");

        var (code, output) = await RunAsync("dotnet", $"pack \"{project}\" -c Release -o \"{_feed}\" -p:Version={_version} -p:ContinuousIntegrationBuild=true", _work);

        Assert.That(code, Is.Zero, output);
        _package = Path.Combine(_feed, $"Veza.Authentication.{_version}.nupkg");
        Assert.That(File.Exists(_package), Is.True, output);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    [Test]
    public void Package_carries_readme_xml_docs_license_and_repository_metadata()
    {
        using var zip = ZipFile.OpenRead(_package);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.That(names, Does.Contain("README.md"));
        Assert.That(names, Does.Contain("lib/net10.0/Veza.Authentication.dll"));
        Assert.That(names, Does.Contain("lib/net10.0/Veza.Authentication.xml"));

        using var nuspecStream = zip.GetEntry("Veza.Authentication.nuspec")!.Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Multiple(() =>
        {
            Assert.That(metadata.Element(ns + "license")?.Attribute("type")?.Value, Is.EqualTo("expression"));
            Assert.That(metadata.Element(ns + "license")?.Value, Is.EqualTo("MIT"));
            Assert.That(metadata.Element(ns + "readme")?.Value, Is.EqualTo("README.md"));
            Assert.That(metadata.Element(ns + "repository")?.Attribute("type")?.Value, Is.EqualTo("git"));
            Assert.That(metadata.Element(ns + "repository")?.Attribute("commit")?.Value, Does.Match("^[0-9a-f]{40}$"));
        });
    }

    [Test]
    public async Task A_project_referencing_the_package_authenticates_a_key_over_real_http()
    {
        var consumer = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(consumer);
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // The test's own version goes to a private packages folder; dependencies come from the machine's cache
        // (or its configured sources), so the global cache is not polluted with test builds.
        await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-test-feed" value="{_feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{Path.Combine(_work, "packages")}</RestorePackagesPath>
                <RestoreAdditionalProjectFallbackFolders>{globalPackages}</RestoreAdditionalProjectFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Veza.Authentication" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), """
            using System.Net.Http.Headers;
            using Microsoft.AspNetCore.Hosting.Server;
            using Microsoft.AspNetCore.Hosting.Server.Features;
            using Veza.Authentication.ApiKeys;
            using Veza.Authentication.Principals;
            using Veza.Authentication.Stores;
            using Veza.Authentication.Stores.InMemory;

            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddVezaAuthentication(o => o.AddRole("viewer", "graph:read")).AddInMemoryStores();
            var app = builder.Build();
            app.MapGet("/me", (HttpContext c) => c.User.FindFirst("sub")!.Value).RequireAuthorization();
            await app.StartAsync();

            var directory = app.Services.GetRequiredService<InMemoryUserDirectory>();
            directory.AddTeam(new VezaTeam("t", "Team", true));
            directory.AddUser(new VezaUser("u", "User", true));
            directory.SetRoles("u", "t", "viewer");
            var created = await app.Services.GetRequiredService<ApiKeyService>()
                .CreateAsync(new ApiKeyDraft { Kind = ApiKeyKind.Personal, Name = "k", TeamId = "t", OwnerUserId = "u" }, VezaCaller.Host, CancellationToken.None);

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            var anonymous = await http.GetAsync("/me");
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.AccessKey);
            var me = await http.GetStringAsync("/me");
            Console.WriteLine($"anonymous={(int)anonymous.StatusCode} me={me}");
            await app.StopAsync();
            """);

        var (code, output) = await RunAsync("dotnet", "run -c Release", consumer);

        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("anonymous=401 me=user:u"));
        Assert.That(Directory.Exists(Path.Combine(_work, "packages", "veza.authentication", _version)), Is.True,
            "the consumer restored the packed package, not a project reference");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Veza.Authentication.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
