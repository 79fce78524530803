/**
 * Token verification and account listing. User tokens verify at /user/tokens/verify; account-owned
 * tokens answer 401 there and verify at /accounts/{id}/tokens/verify instead.
 */
import type { CloudflareClient } from "./client";
import type { Account, TokenStatus } from "./types";

export class TokensApi {
  constructor(private readonly client: CloudflareClient) {}

  /** Verifies a user-owned token. */
  async verifyUserToken(): Promise<TokenStatus> {
    const result = await this.client.call({ label: "verify the API token", method: "GET" }, () => this.client.sdk.user.tokens.verify());
    return { id: result.id, status: result.status, owner: "user" };
  }

  /** Verifies an account-owned token against one account. */
  async verifyAccountToken(accountId: string): Promise<TokenStatus> {
    const result = await this.client.call({ label: "verify the account API token", method: "GET" }, () =>
      this.client.sdk.accounts.tokens.verify({ account_id: accountId }),
    );
    return { id: result.id, status: result.status, owner: "account" };
  }

  /** Every account the token can see. */
  async listAccounts(): Promise<Account[]> {
    const accounts = await this.client.listAll({ label: "list the accounts", method: "GET" }, (page, perPage) =>
      this.client.sdk.accounts.list({ page, per_page: perPage }),
    );
    return accounts.map((a) => ({ id: a.id, name: a.name }));
  }
}
