using System.Net;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A remote resource server follows the server's signing-key rotation through the change feed: the successor key,
/// announced before it signs, is read the moment the feed names it, so the first token it signs is accepted, and tokens
/// of the retiring key keep working until they expire. Server and resource server share a clock only the test moves.
/// </summary>
[TestFixture]
public sealed class RemoteKeyRotationTests
{
    [Test]
    public async Task The_successor_key_is_read_when_the_feed_announces_it_and_no_valid_token_is_refused_across_the_rotation()
    {
        var start = DateTimeOffset.UtcNow;
        var time = new FakeTimeProvider(start);
        var (server, feed) = await ResourceServerHost.StartAuthorizationServerAsync(time, o =>
        {
            o.OAuth2.SigningKeyLifetime = TimeSpan.FromHours(2);
            o.OAuth2.SigningKeyAnnouncement = TimeSpan.FromHours(1);
        });
        await using var _ = server;
        await using var api = await ResourceServerHost.StartAsync(Issuer, server.TestHandler, feed, time);
        var client = await server.CreateClientAsync(TeamA);
        var first = await server.GetTokenAsync(client);
        var firstAccepted = await api.StatusAsync(first);

        // Into the first key's announcement window: the server adds its successor, and the feed says so.
        time.Advance(TimeSpan.FromMinutes(61));
        await api.PollAsync();
        var beforeSuccessor = await server.GetTokenAsync(client);
        await api.PollAsync();
        var known = api.Server.Configuration.Current!.Protocol.SigningKeys.Select(k => k.KeyId).ToList();

        // The last minute of the first key, then the first minute of its successor.
        time.Advance(TimeSpan.FromMinutes(58));
        await api.PollAsync();
        var lastOfFirstKey = await server.GetTokenAsync(client);
        time.Advance(TimeSpan.FromMinutes(2));
        await api.PollAsync();
        var firstOfSuccessor = await server.GetTokenAsync(client);
        var keysKnown = api.Server.Configuration.Current.Protocol.SigningKeys.Count;

        var oldKey = new JsonWebToken(first).Kid;
        var newKey = new JsonWebToken(firstOfSuccessor).Kid;
        Assert.Multiple(async () =>
        {
            Assert.That(firstAccepted, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(new JsonWebToken(beforeSuccessor).Kid, Is.EqualTo(oldKey), "the successor is announced before it signs");
            Assert.That(newKey, Is.Not.EqualTo(oldKey), "the successor signs once the first key retires");
            Assert.That(known, Does.Contain(newKey), "read when the feed named it, before any token it signed was seen");
            Assert.That(keysKnown, Is.EqualTo(2), "both keys are published across the rotation");
            Assert.That(await api.StatusAsync(lastOfFirstKey), Is.EqualTo(HttpStatusCode.OK), "a token of the retiring key is still valid");
            Assert.That(await api.StatusAsync(firstOfSuccessor), Is.EqualTo(HttpStatusCode.OK), "the successor's first token is accepted");
        });
    }
}
