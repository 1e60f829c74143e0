using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.Changes;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// Two instances sharing an API key store and its change feed, each on a clock of its own that only the test moves,
/// so each instance reads the feed exactly when the test lets it: a change made through one holds on the other after
/// one poll interval, whatever the clocks say, a change that commits late is still applied, and an instance that may
/// have missed changes forgets what it remembers.
/// </summary>
[TestFixture]
public sealed class ChangeFeedTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private InMemoryChangeFeed _changes = null!;
    private InMemoryApiKeyStore _keys = null!;

    [SetUp]
    public void CreateStores()
    {
        _changes = new InMemoryChangeFeed();
        _keys = new InMemoryApiKeyStore(_changes);
    }

    private Task<VezaTestHost> StartInstanceAsync(FakeTimeProvider time, IVezaChangeFeed? feed = null) => VezaTestHost.StartAsync(services: s =>
    {
        s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
        s.Replace(ServiceDescriptor.Singleton(_changes));
        s.Replace(ServiceDescriptor.Singleton<IApiKeyStore>(_keys));
        if (feed is not null)
        {
            s.Replace(ServiceDescriptor.Singleton(feed));
        }
    }, options: o => o.Stores.ChangePollInterval = Interval);

    // The key's check as the other instance answers it: once one poll has run, without waiting for more.
    private static Task<HttpStatusCode> StatusAsync(VezaTestHost host, string key, HttpStatusCode expected)
        => Eventually.StatusAsync(() => host.GetAsync("/api/me", key), expected);

    [Test]
    public async Task A_key_revoked_through_one_instance_is_refused_by_the_other_after_one_poll_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await StartInstanceAsync(time);
        await using var b = await StartInstanceAsync(time);
        var (id, key) = await a.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await b.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await a.RevokeAsync(id);
        var beforePoll = (await b.GetAsync("/api/me", key)).StatusCode;
        time.Advance(Interval);
        var afterPoll = await StatusAsync(b, key, HttpStatusCode.Unauthorized);

        Assert.That(beforePoll, Is.EqualTo(HttpStatusCode.OK), "B has not read the feed yet and still holds its check");
        Assert.That(afterPoll, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Instances_whose_clocks_differ_by_a_minute_see_each_others_changes_after_one_interval()
    {
        var ahead = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(1));
        var behind = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await StartInstanceAsync(ahead);
        await using var b = await StartInstanceAsync(behind);
        var (first, firstKey) = await a.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (second, secondKey) = await b.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await b.GetAsync("/api/me", firstKey)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await a.GetAsync("/api/me", secondKey)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await a.RevokeAsync(first);
        await b.RevokeAsync(second);
        ahead.Advance(Interval);
        behind.Advance(Interval);

        Assert.That(await StatusAsync(b, firstKey, HttpStatusCode.Unauthorized), Is.EqualTo(HttpStatusCode.Unauthorized), "the slow clock sees the fast one's revoke");
        Assert.That(await StatusAsync(a, secondKey, HttpStatusCode.Unauthorized), Is.EqualTo(HttpStatusCode.Unauthorized), "the fast clock sees the slow one's revoke");
    }

    [Test]
    public async Task A_change_that_commits_late_is_applied_when_it_appears()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var late = new LateCommitFeed(_changes);
        await using var a = await StartInstanceAsync(time);
        await using var b = await StartInstanceAsync(time, late);
        var (first, firstKey) = await a.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (second, secondKey) = await a.CreatePersonalKeyAsync(ViewerA, TeamA);
        await b.GetAsync("/api/me", firstKey);
        await b.GetAsync("/api/me", secondKey);

        // The first revoke takes its sequence but is not visible yet; the second, after it, is.
        late.Hide(first);
        await a.RevokeAsync(first);
        await a.RevokeAsync(second);
        time.Advance(Interval);
        var secondRefused = await StatusAsync(b, secondKey, HttpStatusCode.Unauthorized);
        var firstMeanwhile = (await b.GetAsync("/api/me", firstKey)).StatusCode;

        late.Reveal();
        time.Advance(Interval);
        var firstRefused = await StatusAsync(b, firstKey, HttpStatusCode.Unauthorized);

        Assert.That(secondRefused, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(firstMeanwhile, Is.EqualTo(HttpStatusCode.OK), "not visible yet");
        Assert.That(firstRefused, Is.EqualTo(HttpStatusCode.Unauthorized), "a reader that had moved past it by its clock or its highest sequence would never see it");
    }

    [Test]
    public async Task A_sequence_that_never_appears_is_passed_over_after_the_gap_wait()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var late = new LateCommitFeed(_changes);
        await using var b = await StartInstanceAsync(time, late);
        var (first, _) = await b.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (second, _) = await b.CreatePersonalKeyAsync(ViewerA, TeamA);
        var reader = b.Services.GetRequiredService<ChangeFeedReader>();

        late.Hide(first);
        await b.RevokeAsync(first);
        await b.RevokeAsync(second);
        var last = await _changes.GetLastSequenceAsync(default);
        time.Advance(Interval);
        var waiting = await Eventually.ValueAsync(() => Task.FromResult(reader.Position), p => p == last - 2);
        time.Advance(TimeSpan.FromSeconds(31));
        var passed = await Eventually.ValueAsync(() => Task.FromResult(reader.Position), p => p == last);

        Assert.That(waiting, Is.EqualTo(last - 2), "waits before the missing sequence");
        Assert.That(passed, Is.EqualTo(last), "then passes it");
    }

    [Test]
    public async Task An_instance_that_finds_the_entries_it_missed_pruned_forgets_what_it_remembers()
    {
        var timeA = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var timeB = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await StartInstanceAsync(timeA);
        await using var b = await StartInstanceAsync(timeB);
        var (id, key) = await a.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await b.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // B is paused (its clock stands still) while the key is revoked and the feed pruned past the revoke.
        await a.RevokeAsync(id);
        await _changes.PruneAsync(DateTimeOffset.MaxValue, default);
        timeB.Advance(Interval);

        Assert.That(await StatusAsync(b, key, HttpStatusCode.Unauthorized), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_instance_that_cannot_read_the_feed_stops_trusting_what_it_remembers_after_the_longest_lag()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var failing = new FailingFeed(_changes);
        await using var a = await StartInstanceAsync(time);
        await using var b = await StartInstanceAsync(time, failing);
        var (id, key) = await a.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await b.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        failing.Fail = true;
        await a.RevokeAsync(id);
        time.Advance(Interval);
        var withinLag = (await b.GetAsync("/api/me", key)).StatusCode;
        time.Advance(TimeSpan.FromSeconds(30));
        var afterLag = await StatusAsync(b, key, HttpStatusCode.Unauthorized);

        Assert.That(withinLag, Is.EqualTo(HttpStatusCode.OK), "a short outage of the feed does not fail every request");
        Assert.That(afterLag, Is.EqualTo(HttpStatusCode.Unauthorized), "past the longest lag the key is read from its store again");
    }

    /// <summary>A feed whose entries about one id stay invisible until revealed, as a transaction that has taken its
    /// sequence and not yet committed.</summary>
    private sealed class LateCommitFeed(IVezaChangeFeed inner) : IVezaChangeFeed
    {
        private volatile string? _hidden;

        public void Hide(string id) => _hidden = id;

        public void Reveal() => _hidden = null;

        public ValueTask<long> GetLastSequenceAsync(CancellationToken cancellationToken) => inner.GetLastSequenceAsync(cancellationToken);

        public async ValueTask<VezaChangePage> ReadAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
        {
            var page = await inner.ReadAsync(afterSequence, maxCount, cancellationToken);
            var hidden = _hidden;
            return hidden is null ? page : page with { Changes = [.. page.Changes.Where(c => c.Id != hidden)] };
        }

        public ValueTask<int> PruneAsync(DateTimeOffset recordedBefore, CancellationToken cancellationToken) => inner.PruneAsync(recordedBefore, cancellationToken);
    }

    private sealed class FailingFeed(IVezaChangeFeed inner) : IVezaChangeFeed
    {
        public volatile bool Fail;

        public ValueTask<long> GetLastSequenceAsync(CancellationToken cancellationToken)
            => Fail ? throw new InvalidOperationException("feed is down (test)") : inner.GetLastSequenceAsync(cancellationToken);

        public ValueTask<VezaChangePage> ReadAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
            => Fail ? throw new InvalidOperationException("feed is down (test)") : inner.ReadAsync(afterSequence, maxCount, cancellationToken);

        public ValueTask<int> PruneAsync(DateTimeOffset recordedBefore, CancellationToken cancellationToken)
            => Fail ? throw new InvalidOperationException("feed is down (test)") : inner.PruneAsync(recordedBefore, cancellationToken);
    }
}
