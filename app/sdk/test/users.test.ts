/** Subaccount and collateral builders on the ELF. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { deleteUser, deposit, initializeUser, pda, updateUser, withdraw } from "../src/index.js";
import {
  collateral,
  createTokenAccount,
  Env,
  expectOk,
  expectRefused,
  newTrader,
  paddedName,
  setupTrading,
  usd,
} from "./harness.js";

test("subaccounts: created per id, settings only by the authority, deleted only when empty", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(10));
  expectOk(await env.send(trader.wallet, initializeUser(trader.wallet, 1, paddedName("hedge"))));
  const second = env.user(pda.user(trader.wallet.address, 1));
  assert.deepEqual(
    [second.subAccountId, second.authority, second.name],
    [1, trader.wallet.address, paddedName("hedge")],
  );
  expectRefused(
    await env.send(trader.wallet, initializeUser(trader.wallet, 1, paddedName(""))),
    "accountAlreadyInitialized",
  );
  expectRefused(
    await env.send(
      trader.wallet,
      initializeUser(trader.wallet, 2, [0xff, ...paddedName("").slice(1)]),
    ),
    "invalidUserName",
  );

  const delegate = await env.wallet();
  for (const setting of [
    { name: paddedName("main") },
    { delegate: delegate.address },
    { customMarginRatio: 2_500 },
    { deriskOptOut: true },
  ]) {
    expectOk(await env.send(trader.wallet, updateUser(trader.wallet, 0, setting)));
  }
  const user = env.user(trader.user);
  assert.deepEqual(
    [user.name, user.delegate, user.customMarginRatio, user.deriskOptOut],
    [paddedName("main"), delegate.address, 2_500, 1],
  );
  expectRefused(
    await env.send(trader.wallet, updateUser(trader.wallet, 0, { customMarginRatio: 50 })),
    "invalidMarginRatio",
  );
  expectRefused(
    await env.send(
      trader.wallet,
      updateUser(trader.wallet, 0, { delegate: trader.wallet.address }),
    ),
    "delegateNotAllowed",
  );

  expectRefused(await env.send(trader.wallet, deleteUser(trader.wallet, 0)), "userNotEmpty");
  expectOk(await env.send(trader.wallet, deleteUser(trader.wallet, 1)));
  assert.equal(env.exists(pda.user(trader.wallet.address, 1)), false);
});

test("collateral: a delegate may deposit but not withdraw; borrowing needs allowBorrow", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(100), usd(50));
  const delegate = await env.wallet();
  expectOk(
    await env.send(trader.wallet, updateUser(trader.wallet, 0, { delegate: delegate.address })),
  );
  const delegateTokens = await createTokenAccount(env, exchange, delegate.address, usd(20));
  const viaDelegate = {
    ...collateral(trader, exchange),
    signer: delegate,
    tokenAccount: delegateTokens,
  };
  expectOk(await env.send(delegate, deposit(viaDelegate, usd(20))));
  expectRefused(await env.send(delegate, withdraw(viaDelegate, usd(1), false)), "notUserAuthority");
  assert.equal(env.user(trader.user).totalDeposits, usd(120));
  assert.equal(env.tokenBalance(pda.spotVault(0)), usd(120));

  const own = collateral(trader, exchange);
  expectRefused(await env.send(trader.wallet, deposit(own, 0n)), "zeroAmount");
  expectRefused(await env.send(trader.wallet, deposit(own, usd(1_000))), "insufficientTokens");
  expectRefused(
    await env.send(trader.wallet, withdraw(own, 2n ** 64n - 1n, true)),
    "withdrawalExceedsVault",
  );
  // Someone else's deposit, so the vault could lend: what refuses the borrow is the margin.
  await newTrader(env, exchange, usd(500));
  expectRefused(await env.send(trader.wallet, withdraw(own, usd(121), false)), "borrowNotAllowed");
  expectRefused(
    await env.send(trader.wallet, withdraw(own, usd(121), true)),
    "insufficientCollateral",
  );
  expectOk(await env.send(trader.wallet, withdraw(own, usd(70), false)));
  assert.equal(env.tokenBalance(trader.tokenAccount), usd(120));
  assert.equal(env.user(trader.user).totalWithdrawals, usd(70));
});
