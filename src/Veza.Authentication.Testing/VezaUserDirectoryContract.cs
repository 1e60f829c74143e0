using Veza.Authentication.Stores;

namespace Veza.Authentication.Testing;

/// <summary>
/// The behaviour every <see cref="IVezaUserDirectory"/> must have for the library to decide correctly who a credential
/// acts for. Derive a fixture per implementation and return, from <see cref="CreateDirectoryAsync"/>, a directory that
/// holds exactly the seed it is given.
/// </summary>
public abstract class VezaUserDirectoryContract
{
    private static readonly VezaDirectorySeed Seed = new(
        [new VezaTeam("root", "Root", IsRoot: true), new VezaTeam("eng", "Engineering", IsRoot: false), new VezaTeam("ops", "Operations", IsRoot: false)],
        [new VezaUser("alice", "Alice", IsActive: true), new VezaUser("bob", "Bob", IsActive: true), new VezaUser("carol", "Carol", IsActive: false),
            new VezaUser("dave", "Dave", IsActive: true)],
        [new VezaMembership("alice", "root", ["admin"]), new VezaMembership("alice", "eng", ["viewer", "operator"]), new VezaMembership("bob", "eng", ["viewer"]),
            new VezaMembership("carol", "ops", ["operator"])]);

    /// <summary>The directory under test, holding <see cref="Seed"/>.</summary>
    protected IVezaUserDirectory Directory { get; private set; } = null!;

    /// <summary>Makes a directory that holds exactly <paramref name="seed"/>.</summary>
    /// <param name="seed">The teams, users and roles.</param>
    /// <returns>The directory.</returns>
    protected abstract Task<IVezaUserDirectory> CreateDirectoryAsync(VezaDirectorySeed seed);

    [SetUp]
    public async Task CreateAsync() => Directory = await CreateDirectoryAsync(Seed);

    [Test]
    public async Task Users_and_teams_are_found_with_every_field_and_unknown_ids_are_not()
    {
        Assert.That(await Directory.FindUserAsync("alice", CancellationToken.None), Is.EqualTo(new VezaUser("alice", "Alice", true)));
        Assert.That(await Directory.FindTeamAsync("root", CancellationToken.None), Is.EqualTo(new VezaTeam("root", "Root", true)));
        Assert.That(await Directory.FindTeamAsync("eng", CancellationToken.None), Is.EqualTo(new VezaTeam("eng", "Engineering", false)));
        Assert.That(await Directory.FindUserAsync("nobody", CancellationToken.None), Is.Null);
        Assert.That(await Directory.FindTeamAsync("nowhere", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_deactivated_user_is_found_and_says_so()
        => Assert.That((await Directory.FindUserAsync("carol", CancellationToken.None))?.IsActive, Is.False);

    [Test]
    public async Task Roles_are_those_of_the_one_team_asked_about()
    {
        Assert.That(await Directory.GetRolesAsync("alice", "eng", CancellationToken.None), Is.EquivalentTo(new[] { "viewer", "operator" }));
        Assert.That(await Directory.GetRolesAsync("alice", "root", CancellationToken.None), Is.EquivalentTo(new[] { "admin" }));
        Assert.That(await Directory.GetRolesAsync("bob", "root", CancellationToken.None), Is.Empty, "admin in root is alice's, not bob's");
        Assert.That(await Directory.GetRolesAsync("alice", "ops", CancellationToken.None), Is.Empty, "not a member");
        Assert.That(await Directory.GetRolesAsync("nobody", "eng", CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task A_users_teams_are_those_in_which_they_hold_a_role()
    {
        Assert.That(await Directory.GetTeamsAsync("alice", CancellationToken.None), Is.EquivalentTo(new[] { "root", "eng" }));
        Assert.That(await Directory.GetTeamsAsync("bob", CancellationToken.None), Is.EquivalentTo(new[] { "eng" }));
        Assert.That(await Directory.GetTeamsAsync("dave", CancellationToken.None), Is.Empty);
        Assert.That(await Directory.GetTeamsAsync("nobody", CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Answers_hold_for_many_concurrent_readers()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
            (await Directory.GetRolesAsync(i % 2 == 0 ? "alice" : "bob", "eng", CancellationToken.None)).Count)));

        Assert.That(answers.Where((_, i) => i % 2 == 0), Is.All.EqualTo(2));
        Assert.That(answers.Where((_, i) => i % 2 == 1), Is.All.EqualTo(1));
    }
}
