// Strength meter for password inputs marked data-password-strength. The server estimates (zxcvbn), so the meter
// and the check on submit always agree. Delegated listeners keep working across Blazor's enhanced navigation.
(() => {
  const timers = new WeakMap();

  async function update(input) {
    const meter = document.querySelector(`[data-password-meter-for="${CSS.escape(input.id)}"]`);
    if (!meter) return;
    const text = meter.querySelector('.password-meter-text');
    const password = input.value;
    if (password.length === 0) {
      meter.removeAttribute('data-score');
      return;
    }
    const emailInput = input.form?.querySelector('[data-password-email]');
    try {
      const response = await fetch('Account/PasswordStrength', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ password, email: emailInput?.value ?? null }),
      });
      if (!response.ok || input.value !== password) return;
      const result = await response.json();
      meter.setAttribute('data-score', String(result.score));
      text.textContent = result.acceptable
        ? ['', '', '', 'Strong password.', 'Very strong password.'][result.score]
        : result.feedback;
    } catch {
      // The meter is advice only: the form still checks on submit.
    }
  }

  document.addEventListener('input', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute('data-password-strength')) return;
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(() => update(input), 300));
  });
})();
