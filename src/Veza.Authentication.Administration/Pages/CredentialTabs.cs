using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>A destructive action that is asked about before it is done.</summary>
internal enum CredentialAction
{
    Revoke,
    Delete,
}

/// <summary>One tab of API Keys and what its pages do. Every action is decided by the service the tab calls, with the
/// request's caller; the tab only hides what the caller could not do anyway.</summary>
internal interface ICredentialTab
{
    /// <summary>The tab's path segment.</summary>
    string Slug { get; }

    string Title { get; }

    bool IsVisibleTo(AdminRequest request);

    /// <summary>Whether the host registered what the tab needs (the OAuth2 stores for clients and apps).</summary>
    bool IsAvailable(AdminRequest request);

    Task ListAsync(AdminRequest request);

    Task NewAsync(AdminRequest request);

    Task CreateAsync(AdminRequest request);

    Task ShowAsync(AdminRequest request, string id);

    Task RenameAsync(AdminRequest request, string id);

    /// <summary>The edit form (GET), or saving it (POST); only for what can be edited beyond its name.</summary>
    Task EditAsync(AdminRequest request, string id, bool save);

    Task ReinstateAsync(AdminRequest request, string id);

    Task ConfirmAsync(AdminRequest request, string id, CredentialAction action);

    Task RevokeAsync(AdminRequest request, string id);

    Task DeleteAsync(AdminRequest request, string id);

    Task AddSecretAsync(AdminRequest request, string id);

    Task ConfirmRemoveSecretAsync(AdminRequest request, string id, string secretId);

    Task RemoveSecretAsync(AdminRequest request, string id, string secretId);
}

/// <summary>The tabs, in the order the page shows them.</summary>
internal static class CredentialTabs
{
    public static IReadOnlyList<ICredentialTab> All { get; } =
    [
        new KeyTab(ApiKeyKind.Personal),
        new KeyTab(ApiKeyKind.Team),
        new RegistrationTab(new AppRegistrations()),
        new RegistrationTab(new ClientRegistrations()),
    ];

    /// <summary>The tab for a path segment; an unknown one, or one whose stores the host did not register, answers every
    /// page with "not found".</summary>
    public static ICredentialTab Find(string slug, AdminRequest request)
        => All.FirstOrDefault(t => t.Slug == slug && t.IsAvailable(request)) ?? Unknown.Instance;

    private sealed class Unknown : ICredentialTab
    {
        public static Unknown Instance { get; } = new();

        public string Slug => string.Empty;

        public string Title => string.Empty;

        public bool IsVisibleTo(AdminRequest request) => false;

        public bool IsAvailable(AdminRequest request) => false;

        public Task ListAsync(AdminRequest request) => Layout.NotFoundAsync(request);

        public Task NewAsync(AdminRequest request) => Layout.NotFoundAsync(request);

        public Task CreateAsync(AdminRequest request) => Layout.NotFoundAsync(request);

        public Task ShowAsync(AdminRequest request, string id) => Layout.NotFoundAsync(request);

        public Task RenameAsync(AdminRequest request, string id) => Layout.NotFoundAsync(request);

        public Task EditAsync(AdminRequest request, string id, bool save) => Layout.NotFoundAsync(request);

        public Task ReinstateAsync(AdminRequest request, string id) => Layout.NotFoundAsync(request);

        public Task ConfirmAsync(AdminRequest request, string id, CredentialAction action) => Layout.NotFoundAsync(request);

        public Task RevokeAsync(AdminRequest request, string id) => Layout.NotFoundAsync(request);

        public Task DeleteAsync(AdminRequest request, string id) => Layout.NotFoundAsync(request);

        public Task AddSecretAsync(AdminRequest request, string id) => Layout.NotFoundAsync(request);

        public Task ConfirmRemoveSecretAsync(AdminRequest request, string id, string secretId) => Layout.NotFoundAsync(request);

        public Task RemoveSecretAsync(AdminRequest request, string id, string secretId) => Layout.NotFoundAsync(request);
    }
}
