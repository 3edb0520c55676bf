// The chat page's script (served from this origin: the CSP allows no inline script).
(function () {
  const log = document.getElementById('log');
  const input = document.getElementById('input');
  const send = document.getElementById('send');
  // Who we are is decided by the server: an anonymous visitor's identity is a signed cookie it hands out.
  // In demo mode (and from this machine only) the demo sign-in above switches to a demo person;
  // ?sender=demo-zhongli does the same on page load (see README).
  const asked = new URLSearchParams(location.search).get('sender');
  // Notifications are delivered at least once: drop the ones already shown (by message id), then acknowledge.
  const seen = new Set(JSON.parse(sessionStorage.getItem('govchat-seen') || '[]'));
  function remember(id) {
    seen.add(id);
    const ids = Array.from(seen).slice(-500);
    sessionStorage.setItem('govchat-seen', JSON.stringify(ids));
  }
  function add(who, text, buttons) {
    const row = document.createElement('div');
    row.className = 'msg ' + who;
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.textContent = text;
    if (buttons && buttons.length) {
      const box = document.createElement('div');
      box.className = 'buttons';
      buttons.forEach(function (b) {
        const btn = document.createElement('button');
        btn.type = 'button';
        btn.textContent = b.title;
        btn.addEventListener('click', function () { ask(b.payload, b.title); });
        box.appendChild(btn);
      });
      bubble.appendChild(box);
    }
    row.appendChild(bubble);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }
  async function ask(text, shown) {
    if (!text.trim()) { return; }
    add('me', shown || text);
    send.disabled = true;
    try {
      const res = await fetch('/webhooks/rest/webhook', {
        method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({message: text})
      });
      const data = await res.json();
      if (!res.ok) { add('bot', data.error || '请求失败，请稍后再试。'); return; }
      data.forEach(function (m) { add('bot', m.text, m.buttons); });
    } catch (e) {
      add('bot', '网络连接失败，请检查网络后重试。');
    } finally {
      send.disabled = false;
      input.focus();
    }
  }
  document.getElementById('form').addEventListener('submit', function (e) {
    e.preventDefault();
    const text = input.value;
    input.value = '';
    ask(text);
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      document.getElementById('form').requestSubmit();
    }
  });
  document.querySelectorAll('#chips button').forEach(function (b) {
    b.addEventListener('click', function () { ask(b.textContent); });
  });
  // Messages that arrive later (a human operator's replies, notifications) wait in the outbox.
  async function poll() {
    try {
      const res = await fetch('/webhooks/rest/outbox');
      if (!res.ok) { return; }
      const ids = [];
      (await res.json()).forEach(function (m) {
        if (!seen.has(m.id)) { add('bot', m.text); remember(m.id); }
        ids.push(m.id);
      });
      if (ids.length) {
        await fetch('/webhooks/rest/outbox/ack', {
          method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({ids: ids})
        });
      }
    } catch (e) { /* offline: try again at the next tick */ }
  }
  async function signIn(body) {
    const res = await fetch('/chat/demo-signin', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)
    });
    const data = await res.json();
    if (!res.ok) { add('bot', data.error || '演示登录失败。'); return null; }
    sessionStorage.removeItem('govchat-seen');
    seen.clear();
    return data.signed_in;
  }
  function showWho(who) {
    document.getElementById('demo-who').textContent = who ? '当前：' + who.name + '（' + who.code + '）' : '当前：市民';
    if (who) { document.getElementById('demo-person').value = who.code; }
  }
  async function setUp() {
    let conf = {};
    try { conf = await (await fetch('/chat/config')).json(); } catch (e) { /* the chat works without it */ }
    if (conf.demo) {
      document.getElementById('demo-mark').style.display = 'inline';
      add('bot', conf.banner || '演示模式');
    }
    if (conf.people) {
      const select = document.getElementById('demo-person');
      conf.people.forEach(function (p) {
        const opt = document.createElement('option');
        opt.value = p.code;
        opt.textContent = p.name + '（' + (p.department || '') + '）';
        select.appendChild(opt);
      });
      document.getElementById('demo-bar').style.display = 'block';
      let who = conf.signed_in;
      const wanted = asked && conf.people.find(function (p) { return p.address === asked; });
      if (wanted && (!who || who.code !== wanted.code)) { who = await signIn({address: asked}); }
      showWho(who);
      document.getElementById('demo-go').addEventListener('click', async function () {
        const code = select.value;
        const signed = await signIn(code ? {code: code} : {});
        showWho(signed);
        add('bot', signed ? '已切换为演示人员：' + signed.name : '已切换为匿名市民。');
      });
    }
    add('bot', '您好！我是 12345 政务服务智能助手，请直接输入您想办的事或想问的问题。');
    setInterval(poll, 3000);
  }
  setUp();
})();
