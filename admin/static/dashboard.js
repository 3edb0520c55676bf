// The dashboard's charts. The page carries its data as JSON (no inline script: the CSP allows scripts from
// this origin only).
(function () {
const data = JSON.parse(document.getElementById('dashboard-data').textContent);
const depts = data.depts, names = data.names, rows = data.rows, trend = data.trend, labels = data.labels;
const pct = v => v === null ? null : Math.round(v * 1000) / 10;
if (window.echarts) {
  const rates = echarts.init(document.getElementById('chart-rates'));
  rates.setOption({tooltip: {trigger: 'axis'}, legend: {}, grid: {containLabel: true},
    xAxis: {type: 'category', data: depts.map(d => names[d] || d || '未派单'), axisLabel: {interval: 0, rotate: 30}},
    yAxis: {type: 'value', max: 100, axisLabel: {formatter: '{value}%'}},
    series: ['ontime_rate', 'satisfaction_rate'].map(k => ({name: labels[k], type: 'bar', data: depts.map(d => pct(rows[d][k].rate))}))});
  const tr = echarts.init(document.getElementById('chart-trend'));
  tr.setOption({tooltip: {trigger: 'axis'}, legend: {}, grid: {containLabel: true},
    xAxis: {type: 'category', data: trend.map(r => r.week)}, yAxis: {type: 'value', max: 100, axisLabel: {formatter: '{value}%'}},
    series: Object.keys(labels).map(k => ({name: labels[k], type: 'line', connectNulls: true, data: trend.map(r => pct(r[k]))}))});
  window.addEventListener('resize', () => { rates.resize(); tr.resize(); });
}
})();
