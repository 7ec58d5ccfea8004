/** The insurance fund's builders on the ELF: a stake, its request, and the payout after the
 * fund's delay, refused before it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addInsuranceStake,
  decodeInsuranceStake,
  initializeInsuranceStake,
  pda,
  removeInsuranceStake,
  requestInsuranceUnstake,
} from "../src/index.js";
import { Env, expectOk, expectRefused, newTrader, setupTrading, usd } from "./harness.js";

test("a stake is paid back only once its request has waited the fund's delay", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const staker = await newTrader(env, exchange, 0n, usd(100));
  const accounts = { authority: staker.wallet, tokenAccount: staker.tokenAccount, quote: exchange.quote };
  expectOk(
    await env.send(
      staker.wallet,
      initializeInsuranceStake(staker.wallet),
      addInsuranceStake(accounts, usd(100)),
    ),
  );
  assert.equal(env.tokenBalance(staker.tokenAccount), 0n);
  assert.equal(env.spotMarket().insurance.balance, usd(100));
  const stake = () => decodeInsuranceStake(env.data(pda.insuranceStake(staker.wallet.address, 0)));
  const shares = stake().shares;
  expectOk(await env.send(staker.wallet, requestInsuranceUnstake(staker.wallet, shares)));
  assert.equal(stake().requestedValue, usd(100));
  expectRefused(
    await env.send(staker.wallet, removeInsuranceStake(accounts)),
    "unstakeRequestNotPayable",
  );
  env.advance(env.spotMarket().insurance.unstakeDelay, 10n);
  expectOk(await env.send(staker.wallet, removeInsuranceStake(accounts)));
  assert.equal(env.tokenBalance(staker.tokenAccount), usd(100));
  assert.equal(stake().shares, 0n);
});
