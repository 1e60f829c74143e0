using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class FailClosedTests
{
    [Test]
    public async Task Store_that_throws_makes_the_request_fail_with_503_not_succeed()
    {
        await using var host = await StartWithSwitchableStoreAsync();
        var store = (SwitchableApiKeyStore)host.Services.GetRequiredService<IApiKeyStore>();
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        store.FailReads = true;

        var response = await host.GetAsync("/api/me", key);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, 14);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("database is down"));
    }

    [Test]
    public async Task Store_that_hangs_times_out_into_503()
    {
        await using var host = await StartWithSwitchableStoreAsync(o => o.Stores.Timeout = TimeSpan.FromMilliseconds(200));
        var store = (SwitchableApiKeyStore)host.Services.GetRequiredService<IApiKeyStore>();
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        store.HangReads = true;

        var response = await host.GetAsync("/api/me", key);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, 14);
    }

    [Test]
    public async Task Store_failure_is_not_remembered_once_the_store_recovers()
    {
        await using var host = await StartWithSwitchableStoreAsync();
        var store = (SwitchableApiKeyStore)host.Services.GetRequiredService<IApiKeyStore>();
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        store.FailReads = true;
        Assert.That((await host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));

        store.FailReads = false;

        Assert.That((await host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Directory_that_throws_makes_the_request_fail_with_503()
    {
        var real = new InMemoryUserDirectory();
        var directory = new Mock<IVezaUserDirectory>();
        directory.Setup(d => d.FindTeamAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns((string id, CancellationToken ct) => real.FindTeamAsync(id, ct));
        directory.Setup(d => d.FindUserAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("directory down (test)"));
        await using var host = await VezaTestHost.StartAsync(services => services.Replace(ServiceDescriptor.Singleton(directory.Object)));
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);

        var response = await host.GetAsync("/api/me", key);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, 14);
    }

    [Test]
    public async Task Directory_that_hangs_times_out_into_503()
    {
        var directory = new Mock<IVezaUserDirectory>();
        directory.Setup(d => d.FindUserAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns((string _, CancellationToken ct) => new ValueTask<VezaUser?>(Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => (VezaUser?)null, TaskScheduler.Default)));
        await using var host = await VezaTestHost.StartAsync(
            services => services.Replace(ServiceDescriptor.Singleton(directory.Object)),
            o => o.Stores.Timeout = TimeSpan.FromMilliseconds(200));
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);

        var response = await host.GetAsync("/api/me", key);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, 14);
    }

    internal static Task<VezaTestHost> StartWithSwitchableStoreAsync(Action<Hosting.VezaAuthenticationOptions>? options = null)
        => VezaTestHost.StartAsync(
            services => services.Replace(ServiceDescriptor.Singleton<IApiKeyStore>(new SwitchableApiKeyStore(new InMemoryApiKeyStore(new InMemoryChangeFeed())))),
            options);
}
