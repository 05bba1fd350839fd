// A name a person recognises for a phone, from its user agent: the model (or system) and the
// browser — "HUAWEI P40 · Chrome", "iPhone · Safari" — rather than an id or "Linux".

const BROWSERS: [RegExp, string][] = [
  [/MicroMessenger/i, '微信'], [/HuaweiBrowser/i, '华为浏览器'], [/MiuiBrowser/i, '小米浏览器'], [/UCBrowser/i, 'UC'],
  [/QQBrowser/i, 'QQ浏览器'], [/EdgA?\//, 'Edge'], [/Firefox\//, 'Firefox'], [/(Chrome|CriOS)\//, 'Chrome'], [/Safari\//, 'Safari'],
];

export function deviceName(ua: string): string {
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1] ?? '';
  let model = '';
  const android = ua.match(/Android [\d.]+;\s*(?:[a-z]{2}-[a-z]{2};\s*)?([^;)]+?)(?:\s+Build\/[^;)]*)?[;)]/i);
  if (/iPhone/.test(ua)) model = 'iPhone';
  else if (/iPad/.test(ua)) model = 'iPad';
  else if (android) model = android[1].trim() === 'K' ? 'Android' : android[1].trim();
  else if (/Android/.test(ua)) model = 'Android';
  else if (/Windows/.test(ua)) model = 'Windows';
  else if (/Macintosh/.test(ua)) model = 'Mac';
  else if (/CrOS/.test(ua)) model = 'Chromebook';
  else if (/Linux/.test(ua)) model = 'Linux';
  return [model, browser].filter(Boolean).join(' · ') || ua.slice(0, 40);
}
