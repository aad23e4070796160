# Testes ocultos do caderno 02_quantizacao_pytorch.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno; as de CELULAS_NO_KERNEL e as de um caderno sem contexto, no caderno do aluno), depois dos testes visíveis: usam os nomes definidos lá (np, torch, nn, copy, io, time,
# modelo, x_teste e as funções do aluno). Cada secção é independente e nunca usa solutions/; os
# valores esperados são propriedades (CURSO.md) ou contas feitas à mão.

# %% teste_quantizar_pytorch_lineares
torch.manual_seed(0)
_mlp = nn.Sequential(nn.Linear(64, 96), nn.ReLU(), nn.Linear(96, 96), nn.ReLU(), nn.Linear(96, 10)).eval()
_qm = quantizar_modelo_pytorch(_mlp)
_din = [_m for _m in _qm.modules() if type(_m).__name__ == "Linear" and "dynamic" in type(_m).__module__]
assert len(_din) == 3 and not [_m for _m in _qm.modules() if type(_m) is nn.Linear], "Todas as nn.Linear (3 neste MLP) têm de passar a Linear dinâmicas quantizadas (torch.ao.nn.quantized.dynamic.Linear)."
assert all(_m.weight().dtype == torch.qint8 for _m in _din), "Os pesos das Linear quantizadas devem ser torch.qint8: usa dtype=torch.qint8."
# As convoluções ficam em float (e o modelo quantizado continua a funcionar com elas).
_cnn = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 10)).eval()
_qc = quantizar_modelo_pytorch(_cnn)
assert type(_qc[0]) is nn.Conv2d and _qc[0].weight.dtype == torch.float32, "A quantização dinâmica não se aplica a nn.Conv2d: a convolução deve continuar a ser um nn.Conv2d float32."
with torch.inference_mode():
    _saida = _qc(torch.zeros(2, 1, 8, 8))
assert tuple(_saida.shape) == (2, 10), "O modelo quantizado deve correr com uma entrada float32 de forma (2, 1, 8, 8)."
_x = torch.randn(200, 64, generator=torch.Generator().manual_seed(1))
with torch.inference_mode():
    _a, _b = _mlp(_x), _qm(_x)
assert float((_a - _b).abs().max()) <= 0.05 * float(_a.abs().max()) + 1e-6, "As saídas do modelo quantizado afastam-se demasiado das do original (mais de 5 % da amplitude)."
assert not _qm.training, "O modelo quantizado deve ficar em modo eval()."

# %% teste_quantizar_pytorch_original
# Um modelo float64 em modo de treino: nada pode mudar (nem o tipo, nem o modo, nem os pesos).
torch.manual_seed(2)
_orig = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 10)).double().train()
_antes = {_k: _v.clone() for _k, _v in _orig.state_dict().items()}
_tipos = [type(_m) for _m in _orig.modules()]
_q = quantizar_modelo_pytorch(_orig)
assert _q is not _orig, "Devolve uma cópia, não o próprio modelo."
assert [type(_m) for _m in _orig.modules()] == _tipos, "Os módulos do modelo original mudaram: quantiza uma cópia."
assert _orig.training, "O modelo original passou a eval(): chama .eval() só na cópia."
_depois = _orig.state_dict()
assert all(_depois[_k].dtype == torch.float64 for _k in _antes), "O modelo original float64 passou a float32: chama .float() só na cópia (modelo.float() muda o próprio modelo)."
assert all(torch.equal(_depois[_k], _v) for _k, _v in _antes.items()), "Os pesos do modelo original mudaram."
with torch.inference_mode():
    _s = _q(torch.zeros(2, 1, 8, 8))
assert _s.dtype == torch.float32 and tuple(_s.shape) == (2, 10), "O modelo quantizado de um modelo float64 deve correr com entradas float32 (converte a cópia com .float())."

# %% teste_tamanho_modelo_mb
# Um modelo grande: (784·1024 + 1024² + 1024·10 + 1024 + 1024 + 10) × 4 B = 7 454 760 B ≈ 7,109 MiB.
torch.manual_seed(0)
_grande = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
_mb = float(tamanho_modelo_mb(_grande))
assert abs(_mb - 7.109) < 0.02, f"Um modelo com 1 863 690 parâmetros float32 ocupa ≈ 7,109 MiB (1 MiB = 2**20 bytes), e veio {_mb:.3f}."
# Um modelo minúsculo: conta o state_dict serializado (com a estrutura do ficheiro), não só os tensores.
_mini = nn.Linear(2, 2)
_buf = io.BytesIO()
torch.save(_mini.state_dict(), _buf)
_esperado = len(_buf.getvalue()) / 2**20
assert abs(float(tamanho_modelo_mb(_mini)) - _esperado) <= 1e-3 * _esperado, "Mede o state_dict serializado com torch.save (inclui a estrutura do ficheiro), não só numel() × bytes de cada tensor."
# Em memória: torch.save não pode receber um caminho de ficheiro.
_save_original = torch.save
_destinos = []

def _save_espiao(_obj, _f, *_args, **_kwargs):
    _destinos.append(_f)
    return _save_original(_obj, _f, *_args, **_kwargs)

torch.save = _save_espiao
try:
    tamanho_modelo_mb(_mini)
finally:
    torch.save = _save_original
assert _destinos, "Usa torch.save(modelo.state_dict(), buffer) para serializar o modelo."
assert all(isinstance(_f, io.IOBase) for _f in _destinos), "Mede em memória (torch.save para um io.BytesIO): não graves o modelo num ficheiro como o texto faz com «temp.p»."

# %% teste_latencia_ms
class _Dorminhoco(nn.Module):
    def __init__(self, rapido_s=0.0, lento_s=0.0, lentas=lambda i: False):
        super().__init__()
        self.rapido_s, self.lento_s, self.lentas = rapido_s, lento_s, lentas
        self.chamadas = 0
        self.modos = []

    def forward(self, x):
        self.modos.append(torch.is_inference_mode_enabled())
        _espera = self.lento_s if self.lentas(self.chamadas) else self.rapido_s
        self.chamadas += 1
        if _espera:
            time.sleep(_espera)
        return x

_m = _Dorminhoco(rapido_s=0.005)
_t = medir_latencia_ms(_m, torch.zeros(1), repeticoes=7, aquecimento=3)
assert 4.9 <= float(_t) <= 20.0, f"Um módulo que dorme 5 ms deu {float(_t):.3f}: devolve milissegundos."
assert _m.chamadas == 10, f"Com repeticoes=7 e aquecimento=3 esperava 10 chamadas ao modelo e houve {_m.chamadas}: mede cada repetição com uma chamada própria."
assert all(_m.modos), "As chamadas ao modelo devem correr dentro de torch.inference_mode() (torch.no_grad() não é o mesmo)."
_m = _Dorminhoco(rapido_s=0.001)
medir_latencia_ms(_m, torch.zeros(1))
assert _m.chamadas == 55, f"Com os valores por omissão (50 repetições e 5 de aquecimento) esperava 55 chamadas e houve {_m.chamadas}."

# %% teste_latencia_mediana
class _Dorminhoco(nn.Module):
    def __init__(self, rapido_s=0.0, lento_s=0.0, lentas=lambda i: False):
        super().__init__()
        self.rapido_s, self.lento_s, self.lentas = rapido_s, lento_s, lentas
        self.chamadas = 0

    def forward(self, x):
        _espera = self.lento_s if self.lentas(self.chamadas) else self.rapido_s
        self.chamadas += 1
        if _espera:
            time.sleep(_espera)
        return x

# Sem aquecimento, as mesmas chamadas lentas contam todas.
_t = medir_latencia_ms(_Dorminhoco(lento_s=0.05, lentas=lambda i: i < 5), torch.zeros(1), repeticoes=5, aquecimento=0)
assert float(_t) >= 49.0, f"Com aquecimento=0 as 5 chamadas de 50 ms contam todas (mediana ≥ 49 ms), mas deu {float(_t):.1f} ms."
# 1 chamada em 5 demora 100 ms: a média daria ~20 ms, a mediana fica perto de 0.
_t = medir_latencia_ms(_Dorminhoco(lento_s=0.1, lentas=lambda i: i % 5 == 0), torch.zeros(1), repeticoes=10, aquecimento=0)
assert float(_t) < 10.0, f"Deu {float(_t):.1f} ms quando 8 de 10 chamadas são instantâneas: devolve a mediana (np.median), não a média."
