using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>The sign-in settings rules, driven through <see cref="SignInSettingsService"/>: administrators of the root
/// team read and switch the authorization server; nobody else does, and a refused switch changes nothing.</summary>
[TestFixture]
public sealed class SignInSettingsServiceRulesTests
{
    private VezaTestHost _host = null!;
    private RecordingAuditSink _audit = null!;

    private SignInSettingsService Settings => _host.Services.GetRequiredService<SignInSettingsService>();

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync(services => services.Replace(ServiceDescriptor.Singleton<IVezaAuditSink, RecordingAuditSink>()));
        _audit = (RecordingAuditSink)_host.Services.GetRequiredService<IVezaAuditSink>();
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task A_root_administrator_signed_in_with_the_hosts_cookie_reads_and_switches_the_authorization_server()
    {
        var root = await _host.SignedInAsync(RootAdmin);

        var before = await Settings.GetAsync(root, CancellationToken.None);
        var switched = await Settings.SetOAuth2EnabledAsync(true, root, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((before.Result, before.Settings?.OAuth2Enabled), Is.EqualTo((SignInSettingsResult.Success, (bool?)false)));
            Assert.That((switched.Result, switched.Settings?.OAuth2Enabled, switched.Settings?.UpdatedBy),
                Is.EqualTo((SignInSettingsResult.Success, (bool?)true, (string?)"user:" + RootAdmin)));
            Assert.That(_audit.Events.Select(e => (e.Action, e.Outcome, e.Actor)), Does.Contain(("oauth2_server.enable", "success", "user:" + RootAdmin)));
        });
    }

    [Test]
    public async Task Team_administrators_members_team_keys_and_app_tokens_neither_read_nor_switch_the_sign_in_settings()
    {
        await _host.SwitchOAuth2Async(true);
        var (_, teamKey) = await _host.CreateTeamKeyAsync(RootTeam);
        var (_, appToken) = await _host.AppActingForAsync(RootAdmin);
        VezaCaller[] callers =
        [
            await _host.SignedInAsync(AdminA), await _host.SignedInAsync(AdminB), await _host.SignedInAsync(ViewerA),
            await _host.BearerAsync(teamKey), await _host.BearerAsync(appToken),
        ];

        foreach (var caller in callers)
        {
            var read = await Settings.GetAsync(caller, CancellationToken.None);
            var switched = await Settings.SetOAuth2EnabledAsync(false, caller, CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That((read.Result, switched.Result), Is.EqualTo((SignInSettingsResult.Forbidden, SignInSettingsResult.Forbidden)), caller.ToString());
                Assert.That(read.Settings, Is.Null);
                Assert.That(switched.Settings, Is.Null);
                Assert.That(switched.Error, Is.Not.Empty);
            });
        }

        Assert.That((await Settings.GetAsync(VezaCaller.Host, CancellationToken.None)).Settings!.OAuth2Enabled, Is.True, "still on");
        Assert.That(_audit.Events.Count(e => e is { Action: "oauth2_server.disable", Outcome: "permission_denied" }), Is.EqualTo(callers.Length));
    }
}
