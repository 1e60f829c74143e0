using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// The requirement to manage a credential (an <see cref="ApiKeyRecord"/> or an <see cref="OAuthClientRecord"/>): see,
/// change, revoke or delete it. Checked with resource-based authorization,
/// <c>IAuthorizationService.AuthorizeAsync(user, record, [VezaManageRequirement.Instance])</c>, by the management
/// endpoints and by any host endpoint that wants the same rules.
/// </summary>
public sealed class VezaManageRequirement : IAuthorizationRequirement
{
    private VezaManageRequirement()
    {
    }

    /// <summary>The requirement.</summary>
    public static VezaManageRequirement Instance { get; } = new();
}

/// <summary>
/// Decides <see cref="VezaManageRequirement"/>: the authority of a call is its credential's team and the caller's
/// roles there. A user manages their own personal keys of that team; an administrator of the team every key and
/// client of it; an administrator of the root team every team's. Service accounts and clients manage nothing.
/// Any other resource or requirement is left to other handlers at the cost of one type check.
/// </summary>
internal sealed class VezaManagementAuthorizationHandler(IServiceProvider services, IOptions<VezaAuthenticationOptions> options) : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
        => context.Resource is ApiKeyRecord or OAuthClientRecord ? HandleCredentialAsync(context) : Task.CompletedTask;

    private async Task HandleCredentialAsync(AuthorizationHandlerContext context)
    {
        if (!context.PendingRequirements.Contains(VezaManageRequirement.Instance))
        {
            return;
        }

        var directory = services.GetRequiredService<IVezaUserDirectory>();
        var caller = await ManagementCaller.FromPrincipalAsync(context.User, options.Value, directory, CancellationToken.None).ConfigureAwait(false);
        var allowed = caller is { IsUser: true } && context.Resource switch
        {
            ApiKeyRecord key => caller.CanManage(key),
            OAuthClientRecord client => caller.CanManage(client),
            _ => false,
        };
        if (allowed)
        {
            context.Succeed(VezaManageRequirement.Instance);
        }
    }
}
